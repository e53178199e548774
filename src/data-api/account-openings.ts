import { AccountModel } from '../accounts/account.model.js';

/**
 * When each account was opened, to bound the months a transactions page reads. An
 * account's opening date never changes, so it is kept in memory once read: this saves a
 * database read on every transactions call and cannot go stale (consent, token and app
 * checks are never cached). The map is bounded; past its size it starts again.
 */
const maxEntries = 100_000;
const openedAt = new Map<string, Date>();

export async function accountOpenings(ids: readonly string[]): Promise<Map<string, Date>> {
  const missing = ids.filter((id) => !openedAt.has(id));
  if (missing.length > 0) {
    const found = await Promise.all(missing.map((id) => AccountModel.findById(id, { openedAt: 1 }).lean()));
    if (openedAt.size + missing.length > maxEntries) openedAt.clear();
    found.forEach((account, i) => {
      // An account not found is not remembered: it may be created later.
      if (account) openedAt.set(missing[i]!, account.openedAt);
    });
  }
  return new Map(ids.filter((id) => openedAt.has(id)).map((id) => [id, openedAt.get(id)!]));
}
