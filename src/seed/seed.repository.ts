import type { Collection, Document, OptionalUnlessRequiredId } from 'mongodb';
import { AccountModel } from '../accounts/account.model.js';
import { BalanceModel } from '../accounts/balance.model.js';
import { CustomerModel } from '../accounts/customer.model.js';
import { TransactionMonthModel } from '../accounts/transaction.model.js';
import { UserModel } from '../users/user.model.js';

/**
 * Inserts documents, skipping those whose unique key already exists, so that seeding
 * twice changes nothing. Any other write error is raised.
 */
async function insertNew<T extends Document>(collection: Collection<T>, docs: T[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    const result = await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false });
    return result.insertedCount;
  } catch (error) {
    const bulk = error as {
      code?: number;
      writeErrors?: { code: number }[] | { code: number };
      insertedCount?: number;
    };
    const writeErrors = Array.isArray(bulk.writeErrors)
      ? bulk.writeErrors
      : bulk.writeErrors
        ? [bulk.writeErrors]
        : [];
    const onlyDuplicates =
      writeErrors.length > 0 ? writeErrors.every((e) => e.code === 11000) : bulk.code === 11000;
    if (!onlyDuplicates) throw error;
    return bulk.insertedCount ?? docs.length - writeErrors.length;
  }
}

/**
 * Where the seed generator writes the bank's records, straight to their collections in
 * bulk (each record's `_id` is its natural key, so a second run inserts nothing new).
 * Each resolves how many were new.
 */
export const seedStore = {
  users: (docs: Document[]) => insertNew(UserModel.collection, docs),
  customers: (docs: Document[]) => insertNew(CustomerModel.collection, docs),
  accounts: (docs: Document[]) => insertNew(AccountModel.collection, docs),
  balances: (docs: Document[]) => insertNew(BalanceModel.collection, docs),
  transactionMonths: (docs: Document[]) => insertNew(TransactionMonthModel.collection, docs),
};
