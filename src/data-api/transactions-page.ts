import { decodeCursor, encodeCursor } from '../accounts/transaction.repository.js';
import { ObError, obErrorCodes } from '../open-banking/ob-errors.js';

/**
 * Where a transactions page across several accounts stands: which account, and within it
 * the last transaction given. Apps get it as the opaque `page` of Links.Next.
 */
export interface PageCursor {
  account: number;
  at?: Date;
  id?: string;
}

export function encodePage(page: PageCursor): string {
  return `${page.account}.${page.at ? encodeCursor({ at: page.at, id: page.id! }) : ''}`;
}

export function decodePage(value: string): PageCursor {
  const [account, rest] = value.split('.');
  const index = Number(account);
  const cursor = rest ? decodeCursor(rest) : undefined;
  if (!Number.isInteger(index) || index < 0 || (rest && !cursor)) {
    throw new ObError(400, [
      {
        ErrorCode: obErrorCodes.fieldInvalid,
        Message: 'page: is not a page this server issued',
        Path: 'page',
      },
    ]);
  }
  return { account: index, ...(cursor ? { at: cursor.at, id: cursor.id } : {}) };
}

/** The booking window a read may see: the consent's window, narrowed by the app's query and by now. */
export function bookingWindow(
  consent: { transactionFromDateTime?: Date | null; transactionToDateTime?: Date | null },
  query: { fromBookingDateTime?: Date; toBookingDateTime?: Date },
  now: Date,
): { from: Date | undefined; to: Date } {
  return {
    from: latest(consent.transactionFromDateTime ?? undefined, query.fromBookingDateTime),
    to: earliest(consent.transactionToDateTime ?? undefined, query.toBookingDateTime, now),
  };
}

export function latest(...dates: (Date | undefined)[]): Date | undefined {
  const present = dates.filter((d): d is Date => d instanceof Date);
  return present.length ? new Date(Math.max(...present.map((d) => d.getTime()))) : undefined;
}

function earliest(...dates: (Date | undefined)[]): Date {
  const present = dates.filter((d): d is Date => d instanceof Date);
  return new Date(Math.min(...present.map((d) => d.getTime())));
}
