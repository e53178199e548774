import { TransactionMonthModel, type TransactionRecord } from './transaction.model.js';

/** Transactions are stored one document per account and month: this is its `_id`. */
export function transactionMonthId(accountId: string, month: string): string {
  return `${accountId}:${month}`;
}

/** `YYYY-MM` of a moment, in UTC. */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

export interface TransactionCursor {
  /** Continue with transactions strictly older than this one (booking time, then id). */
  at: Date;
  id: string;
}

/**
 * An account's transactions in a booking window, newest first, a page at a time. They are
 * stored one document per account and month (`<AccountId>:<YYYY-MM>`, docs/storage.md), so
 * each month is one primary-key read and a page costs the same whatever the bank holds.
 */
export async function transactionsPage(
  accountId: string,
  window: { from: Date; to: Date },
  options: { limit: number; after?: TransactionCursor; keep: (t: TransactionRecord) => boolean },
): Promise<{ transactions: TransactionRecord[]; next?: TransactionCursor }> {
  const upper = options.after && options.after.at < window.to ? options.after.at : window.to;
  const found: TransactionRecord[] = [];
  for (let month = startOfMonth(upper); month >= startOfMonth(window.from); month = previousMonth(month)) {
    const doc = await TransactionMonthModel.findById(transactionMonthId(accountId, monthOf(month))).lean();
    for (const t of (doc?.transactions ?? []) as TransactionRecord[]) {
      if (t.bookingDateTime > window.to || t.bookingDateTime < window.from) continue;
      if (options.after && !olderThan(t, options.after)) continue;
      if (!options.keep(t)) continue;
      found.push(t);
      if (found.length > options.limit) {
        const page = found.slice(0, options.limit);
        const last = page.at(-1)!;
        return { transactions: page, next: { at: last.bookingDateTime, id: last.transactionId } };
      }
    }
  }
  return { transactions: found };
}

function olderThan(t: TransactionRecord, cursor: TransactionCursor): boolean {
  const time = t.bookingDateTime.getTime();
  return time < cursor.at.getTime() || (time === cursor.at.getTime() && t.transactionId < cursor.id);
}

function startOfMonth(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

function previousMonth(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1));
}

export function encodeCursor(cursor: TransactionCursor): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`).toString('base64url');
}

export function decodeCursor(value: string): TransactionCursor | undefined {
  const [at, id] = Buffer.from(value, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  return id && !Number.isNaN(date.getTime()) ? { at: date, id } : undefined;
}
