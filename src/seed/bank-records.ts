import { monthOf, transactionMonthId } from '../accounts/transaction.repository.js';
import type {
  GeneratedAccount,
  GeneratedBalance,
  GeneratedCustomer,
  GeneratedTransaction,
} from './bank-data-generator.js';

/** Turns generated data into the documents the bank's collections hold. */

export function customerRecord(customer: GeneratedCustomer, accountIds: string[]) {
  return { _id: customer.customerId, name: customer.name, email: customer.email, accountIds, ...stamp() };
}

export function accountRecord({ accountId, ...account }: GeneratedAccount) {
  return { _id: accountId, ...account, ...stamp() };
}

export function balanceRecord({ accountId, ...balance }: GeneratedBalance) {
  return { _id: accountId, ...balance, ...stamp() };
}

/** Groups an account's transactions into monthly documents, newest first within each month. */
export function transactionMonthRecords(accountId: string, transactions: readonly GeneratedTransaction[]) {
  const months = new Map<string, Omit<GeneratedTransaction, 'accountId'>[]>();
  for (const { accountId: _ignored, ...transaction } of transactions) {
    const month = monthOf(transaction.bookingDateTime);
    const list = months.get(month) ?? [];
    list.push(transaction);
    months.set(month, list);
  }
  return [...months].map(([month, list]) => ({
    _id: transactionMonthId(accountId, month),
    accountId,
    month,
    transactions: list.sort(newestFirst),
  }));
}

export function newestFirst(
  a: { bookingDateTime: Date; transactionId: string },
  b: { bookingDateTime: Date; transactionId: string },
): number {
  return (
    b.bookingDateTime.getTime() - a.bookingDateTime.getTime() ||
    (a.transactionId < b.transactionId ? 1 : a.transactionId > b.transactionId ? -1 : 0)
  );
}

function stamp() {
  const now = new Date();
  return { createdAt: now, updatedAt: now };
}
