import { hashPassword } from '../auth/password.js';
import type { Role } from '../users/user.model.js';
import {
  generateAccount,
  generateCustomer,
  generateTransactions,
  type GeneratedCustomer,
} from './bank-data-generator.js';
import { accountRecord, balanceRecord, customerRecord, transactionMonthRecords } from './bank-records.js';
import { seedStore } from './seed.repository.js';

export interface SeedOptions {
  seed: string;
  customers: number;
  accountsPerCustomer: number;
  transactionsPerAccount: number;
  asOf: Date;
  onProgress?: (transactionsDone: number, transactionsTotal: number) => void;
}

export interface SeedReport {
  users: number;
  accounts: number;
  transactions: number;
}

export interface DemoSignin {
  email: string;
  password: string;
  role: Role;
  name: string;
}

/** The fixed demo sign-ins. They exist only in demo data; README lists them. */
export const demoSignins: readonly DemoSignin[] = [
  { email: 'alice@example.com', password: 'alice-demo-pass', role: 'customer', name: 'Alice Morgan' },
  { email: 'bob@example.com', password: 'bob-demo-pass', role: 'customer', name: 'Bob Fletcher' },
  {
    email: 'compliance@example.com',
    password: 'compliance-demo-pass',
    role: 'compliance',
    name: 'Chidi Okafor',
  },
  { email: 'admin@example.com', password: 'admin-demo-pass', role: 'admin', name: 'Ada Lindqvist' },
];

/** Generated customers all share this password; their emails are in the users collection. */
export const generatedCustomerPassword = 'customer-demo-pass';

// Alice's and Bob's accounts never depend on the seed value, so any seed run leaves them as they are.
const demoAccountsSeed = 'demo';

/**
 * Writes the demo sign-ins and `customers` generated customers with their accounts,
 * balances and transactions. Idempotent: records that already exist are left alone.
 */
export async function seedBankData(options: SeedOptions): Promise<SeedReport> {
  const report: SeedReport = { users: 0, accounts: 0, transactions: 0 };
  const total =
    (options.customers + demoCustomers().length) *
    options.accountsPerCustomer *
    options.transactionsPerAccount;
  let done = 0;

  report.users += await seedStore.users(await demoUserDocs());
  const sharedHash = await hashPassword(generatedCustomerPassword);

  const seedCustomer = async (customer: GeneratedCustomer, seed: string) => {
    const accountIds: string[] = [];
    for (let a = 0; a < options.accountsPerCustomer; a++) {
      const account = generateAccount(seed, customer.customerId, a, options.asOf);
      const { transactions, balance } = generateTransactions(
        seed,
        account,
        options.transactionsPerAccount,
        options.asOf,
      );
      accountIds.push(account.accountId);
      report.accounts += await seedStore.accounts([accountRecord(account)]);
      await seedStore.balances([balanceRecord(balance)]);
      const inserted = await seedStore.transactionMonths(
        transactionMonthRecords(account.accountId, transactions),
      );
      if (inserted > 0) report.transactions += transactions.length;
      done += transactions.length;
      options.onProgress?.(done, total);
    }
    // The customer record goes last: it is what makes the accounts reachable.
    await seedStore.customers([customerRecord(customer, accountIds)]);
  };

  for (const customer of demoCustomers()) await seedCustomer(customer, demoAccountsSeed);
  for (let index = 0; index < options.customers; index++) {
    const customer = generateCustomer(options.seed, index);
    await seedCustomer(customer, options.seed);
    report.users += await seedStore.users([
      {
        _id: customer.email,
        name: customer.name,
        role: 'customer',
        customerId: customer.customerId,
        passwordHash: sharedHash,
        ...stamp(),
      },
    ]);
  }
  options.onProgress?.(total, total);
  return report;
}

export function demoCustomerIds(): string[] {
  return demoCustomers().map((c) => c.customerId);
}

/** Alice and Bob, whose customer ids do not depend on the seed value so their sign-ins always work. */
function demoCustomers(): GeneratedCustomer[] {
  return demoSignins
    .filter((s) => s.role === 'customer')
    .map((s) => ({ customerId: `cus-demo-${s.email.split('@')[0]}`, name: s.name, email: s.email }));
}

async function demoUserDocs() {
  const customers = new Map(demoCustomers().map((c) => [c.email, c.customerId]));
  return Promise.all(
    demoSignins.map(async (s) => ({
      _id: s.email,
      name: s.name,
      role: s.role,
      ...(customers.has(s.email) ? { customerId: customers.get(s.email) } : {}),
      passwordHash: await hashPassword(s.password),
      ...stamp(),
    })),
  );
}

function stamp() {
  const now = new Date();
  return { createdAt: now, updatedAt: now };
}
