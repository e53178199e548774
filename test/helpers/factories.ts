import { randomUUID } from 'node:crypto';
import { AccountModel } from '../../src/accounts/account.model.js';
import { BalanceModel } from '../../src/accounts/balance.model.js';
import { CustomerModel } from '../../src/accounts/customer.model.js';
import { TransactionMonthModel } from '../../src/accounts/transaction.model.js';
import {
  generateAccount,
  generateJointAccount,
  generateTransactions,
  withAdditionalCardholder,
} from '../../src/seed/bank-data-generator.js';
import { accountRecord, balanceRecord, transactionMonthRecords } from '../../src/seed/bank-records.js';
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
  const email = uniqueEmail(label);
  const name = `${label[0]!.toUpperCase()}${label.slice(1)} Tester`;
  const customerId = role === 'customer' ? `cus-test-${randomUUID()}` : undefined;
  if (customerId) await CustomerModel.create({ _id: customerId, name, email, accountIds: [] });
  const user = await createUser({ email, password, name, role, ...(customerId ? { customerId } : {}) });
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
    await AccountModel.create(accountRecord(account));
    await BalanceModel.create(balanceRecord(generated.balance));
    await TransactionMonthModel.insertMany(
      transactionMonthRecords(account.accountId, generated.transactions),
    );
    accounts.push({ ...account, balance: generated.balance, transactions: generated.transactions });
  }
  await CustomerModel.updateOne(
    { _id: person.customerId },
    { $set: { accountIds: accounts.map((a) => a.accountId) } },
  );
  return { person, accounts };
}

type CreatedCustomer = Awaited<ReturnType<typeof createCustomerWithAccounts>>;

/**
 * Two customers who share: a joint current account held by both (the first is the main
 * holder), and the first's credit card, on which the second is an additional cardholder.
 * Each also has accounts of their own.
 */
export async function createJointHousehold(transactions = 10) {
  const [first, second] = await Promise.all([
    createCustomerWithAccounts(transactions, 'alice'),
    createCustomerWithAccounts(transactions, 'bob'),
  ]);
  return { ...(await shareAccounts(first, second, transactions)), alice: first.person, bob: second.person };
}

/** Makes two existing customers a household: a joint account for both, the second a cardholder on the first's card. */
export async function shareAccounts(first: CreatedCustomer, second: CreatedCustomer, transactions = 10) {
  const asOf = new Date();
  const holders = [first.person.customerId!, second.person.customerId!];
  const joint = generateJointAccount(`test-${randomUUID()}`, holders, asOf);
  const generated = generateTransactions('test', joint, transactions, asOf);
  await AccountModel.create(accountRecord(joint));
  await BalanceModel.create(balanceRecord(generated.balance));
  await TransactionMonthModel.insertMany(transactionMonthRecords(joint.accountId, generated.transactions));
  const card = first.accounts[1]!;
  const cardholder = withAdditionalCardholder('test', card, second.person.customerId!);
  await AccountModel.updateOne({ _id: card.accountId }, { $set: { cardholders: cardholder.cardholders } });
  await CustomerModel.updateOne(
    { _id: first.person.customerId },
    { $set: { accountIds: [...first.accounts.map((a) => a.accountId), joint.accountId] } },
  );
  await CustomerModel.updateOne(
    { _id: second.person.customerId },
    { $set: { accountIds: [...second.accounts.map((a) => a.accountId), joint.accountId, card.accountId] } },
  );
  return {
    aliceOwn: first.accounts[0]!.accountId,
    bobOwn: second.accounts[0]!.accountId,
    joint: joint.accountId,
    card: card.accountId,
  };
}
