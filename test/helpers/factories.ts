import { randomUUID } from 'node:crypto';
import { AccountModel } from '../../src/accounts/account.model.js';
import { BalanceModel } from '../../src/accounts/balance.model.js';
import { TransactionModel } from '../../src/accounts/transaction.model.js';
import { generateAccount, generateTransactions } from '../../src/seed/bank-data-generator.js';
import type { Role } from '../../src/users/user.model.js';
import { createUser, type SessionUser } from '../../src/users/user.service.js';

export interface TestPerson extends SessionUser {
  password: string;
}

export function uniqueEmail(label = 'person'): string {
  return `${label}-${randomUUID().slice(0, 8)}@test.example`;
}

export async function createPerson(role: Role, label: string = role): Promise<TestPerson> {
  const password = `pw-${randomUUID()}`;
  const customerId = role === 'customer' ? `cus-test-${randomUUID()}` : undefined;
  const user = await createUser({
    email: uniqueEmail(label),
    password,
    name: `${label[0]!.toUpperCase()}${label.slice(1)} Tester`,
    role,
    ...(customerId ? { customerId } : {}),
  });
  return { ...user, password };
}

/** A customer with a current account and a credit card, each with `transactions` transactions. */
export async function createCustomerWithAccounts(transactions = 20, label = 'customer') {
  const person = await createPerson('customer', label);
  const asOf = new Date();
  const accounts = [];
  for (let index = 0; index < 2; index++) {
    const account = generateAccount(`test-${person.customerId}`, person.customerId!, index, asOf);
    const generated = generateTransactions('test', account, transactions, asOf);
    await AccountModel.create(account);
    await BalanceModel.create(generated.balance);
    await TransactionModel.insertMany(generated.transactions);
    accounts.push({ ...account, balance: generated.balance, transactions: generated.transactions });
  }
  return { person, accounts };
}
