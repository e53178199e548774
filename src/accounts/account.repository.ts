import { findManyById } from '../db/primary-key.js';
import { AccountModel, type AccountRecord } from './account.model.js';
import { BalanceModel, type BalanceRecord } from './balance.model.js';
import { CustomerModel } from './customer.model.js';

/** The bank's accounts, balances and customers, each read by its primary key (docs/storage.md). */

export async function accountIdsOfCustomer(customerId: string): Promise<string[]> {
  return (await CustomerModel.findById(customerId, { accountIds: 1 }).lean())?.accountIds ?? [];
}

/** The accounts with these ids, in the order given; unknown ids are skipped. */
export async function findAccounts(ids: readonly string[]): Promise<AccountRecord[]> {
  return (await findManyById(ids, (id) => AccountModel.findById(id).lean())) as AccountRecord[];
}

/** The balances of these accounts, in the order given (stored under the account's id). */
export async function findBalances(ids: readonly string[]): Promise<BalanceRecord[]> {
  return (await findManyById(ids, (id) => BalanceModel.findById(id).lean())) as BalanceRecord[];
}

/**
 * When each account was opened, to bound the months a transactions page reads. An
 * account's opening date never changes, so it is kept in memory once read: this saves a
 * database read on every transactions call and cannot go stale (consent, token and app
 * checks are never cached). The map is bounded; past its size it starts again.
 */
const maxOpenings = 100_000;
const openedAt = new Map<string, Date>();

export async function accountOpenings(ids: readonly string[]): Promise<Map<string, Date>> {
  const missing = ids.filter((id) => !openedAt.has(id));
  if (missing.length > 0) {
    const found = await Promise.all(missing.map((id) => AccountModel.findById(id, { openedAt: 1 }).lean()));
    if (openedAt.size + missing.length > maxOpenings) openedAt.clear();
    found.forEach((account, i) => {
      // An account not found is not remembered: it may be created later.
      if (account) openedAt.set(missing[i]!, account.openedAt);
    });
  }
  return new Map(ids.filter((id) => openedAt.has(id)).map((id) => [id, openedAt.get(id)!]));
}
