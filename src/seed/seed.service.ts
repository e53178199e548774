import { hashPassword } from '../auth/password.js';
import type { Role } from '../users/user.model.js';
import {
  generateAccount,
  generateCustomer,
  generateJointAccount,
  generateTransactions,
  withAdditionalCardholder,
  type GeneratedAccount,
  type GeneratedCustomer,
} from './bank-data-generator.js';
import { Random } from './random.js';
import { accountRecord, balanceRecord, customerRecord, transactionMonthRecords } from './bank-records.js';
import { seedStore } from './seed.repository.js';

export interface SeedOptions {
  seed: string;
  customers: number;
  accountsPerCustomer: number;
  transactionsPerAccount: number;
  asOf: Date;
  /** Of generated customers, the share who hold a joint account with the next one (0 to 1; default 0). */
  jointAccountRate?: number;
  /** Of generated customers, the share whose card has the next one as additional cardholder (0 to 1; default 0). */
  additionalCardholderRate?: number;
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
 * Who shares accounts with whom: a customer may hold a joint account with the next
 * customer, and the next customer may be an additional cardholder on the customer's card.
 */
interface Household {
  jointWith?: string;
  cardholder?: string;
}

/**
 * Writes the demo sign-ins and `customers` generated customers with their accounts,
 * balances and transactions. Alice and Bob share a joint account, and Bob is an additional
 * cardholder on Alice's credit card; generated customers do so with the next customer at
 * the rates asked for. Idempotent: records that already exist are left alone.
 */
export async function seedBankData(options: SeedOptions): Promise<SeedReport> {
  const report: SeedReport = { users: 0, accounts: 0, transactions: 0 };
  const households = (index: number): Household => householdOf(options, index);
  const joints = 1 + countJointAccounts(options);
  const total =
    ((options.customers + demoCustomers().length) * options.accountsPerCustomer + joints) *
    options.transactionsPerAccount;
  let done = 0;

  report.users += await seedStore.users(await demoUserDocs());
  const sharedHash = await hashPassword(generatedCustomerPassword);

  const writeAccount = async (account: GeneratedAccount, seed: string) => {
    const { transactions, balance } = generateTransactions(
      seed,
      account,
      options.transactionsPerAccount,
      options.asOf,
    );
    report.accounts += await seedStore.accounts([accountRecord(account)]);
    await seedStore.balances([balanceRecord(balance)]);
    const inserted = await seedStore.transactionMonths(
      transactionMonthRecords(account.accountId, transactions),
    );
    if (inserted > 0) report.transactions += transactions.length;
    done += transactions.length;
    options.onProgress?.(done, total);
  };

  /** A customer's own accounts, any joint account with the next one, and the accounts the previous one shares. */
  const seedCustomer = async (
    customer: GeneratedCustomer,
    seed: string,
    own: Household,
    previous?: PreviousCustomer,
  ) => {
    const accountIds: string[] = [];
    for (let a = 0; a < options.accountsPerCustomer; a++) {
      let account = generateAccount(seed, customer.customerId, a, options.asOf);
      if (a === 1 && own.cardholder) account = withAdditionalCardholder(seed, account, own.cardholder);
      await writeAccount(account, seed);
      accountIds.push(account.accountId);
    }
    if (own.jointWith) {
      const joint = generateJointAccount(seed, [customer.customerId, own.jointWith], options.asOf);
      await writeAccount(joint, seed);
      accountIds.push(joint.accountId);
    }
    if (previous) accountIds.push(...sharedByPrevious(previous, options));
    // The customer record goes last: it is what makes the accounts reachable.
    await seedStore.customers([customerRecord(customer, accountIds)]);
  };

  const [alice, bob] = demoCustomers() as [GeneratedCustomer, GeneratedCustomer];
  const demoHousehold = { jointWith: bob.customerId, cardholder: bob.customerId };
  await seedCustomer(alice, demoAccountsSeed, demoHousehold);
  await seedCustomer(
    bob,
    demoAccountsSeed,
    {},
    { customerId: alice.customerId, seed: demoAccountsSeed, household: demoHousehold },
  );
  for (let index = 0; index < options.customers; index++) {
    const customer = generateCustomer(options.seed, index);
    const previous =
      index > 0
        ? {
            customerId: generateCustomer(options.seed, index - 1).customerId,
            seed: options.seed,
            household: households(index - 1),
          }
        : undefined;
    await seedCustomer(customer, options.seed, households(index), previous);
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

interface PreviousCustomer {
  customerId: string;
  seed: string;
  household: Household;
}

/** The accounts the previous customer shares with this one: their joint account, the card this one holds too. */
function sharedByPrevious(previous: PreviousCustomer, options: SeedOptions): string[] {
  const { customerId, seed, household } = previous;
  return [
    ...(household.jointWith
      ? [generateJointAccount(seed, [customerId, household.jointWith], options.asOf).accountId]
      : []),
    ...(household.cardholder && options.accountsPerCustomer > 1
      ? [generateAccount(seed, customerId, 1, options.asOf).accountId]
      : []),
  ];
}

/** Generated customer `index`'s ties to the next one, drawn from the seed at the configured rates. */
function householdOf(options: SeedOptions, index: number): Household {
  if (index + 1 >= options.customers) return {};
  const random = new Random(`${options.seed}/household/${index}`);
  const next = generateCustomer(options.seed, index + 1).customerId;
  const joint = random.chance(options.jointAccountRate ?? 0);
  const cardholder = random.chance(options.additionalCardholderRate ?? 0) && options.accountsPerCustomer > 1;
  return { ...(joint ? { jointWith: next } : {}), ...(cardholder ? { cardholder: next } : {}) };
}

function countJointAccounts(options: SeedOptions): number {
  if (!options.jointAccountRate) return 0;
  let count = 0;
  for (let index = 0; index < options.customers; index++)
    if (householdOf(options, index).jointWith) count += 1;
  return count;
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
