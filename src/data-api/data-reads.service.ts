import { accountOpenings, findAccounts, findBalances } from '../accounts/account.repository.js';
import { transactionsPage } from '../accounts/transaction.repository.js';
import { obErrorCodes } from '../open-banking/ob-errors.js';
import type { Authorised } from './data-access.service.js';
import { accountBody, balanceBodies, directionGranted, grantsOf, transactionBody } from './data-shaping.js';
import { bookingWindow, decodePage, encodePage, latest } from './transactions-page.js';

/**
 * What an authorised request reads, shaped by the consent's permissions. Each read records
 * the access (accounts, record count) before it returns: no data without its audit record.
 */

const pageSize = 100;

export async function readAccounts(access: Authorised, ids: string[]) {
  const accounts = await findAccounts(ids);
  await access.recordAccess(ids, accounts.length);
  const grants = grantsOf(access.consent.permissions);
  return accounts.map((a) => accountBody(a, grants, access.consent.customerId!));
}

export async function readBalances(access: Authorised, ids: string[]) {
  const entries = (await findBalances(ids)).flatMap(balanceBodies);
  await access.recordAccess(ids, entries.length);
  return entries;
}

export interface TransactionsRequest {
  accountIds: string[];
  fromBookingDateTime?: Date;
  toBookingDateTime?: Date;
  page?: string;
  now: Date;
}

/**
 * A page of transactions, newest first, across the accounts asked for in turn, inside
 * the consent's window (a request wholly outside it is refused, and audited). Resolves
 * the page and the `page` value that continues it, if there is more.
 */
export async function readTransactions(access: Authorised, request: TransactionsRequest) {
  const { consent } = access;
  const ids = request.accountIds;
  const { from, to } = bookingWindow(consent, request, request.now);
  if (from && from > to) {
    throw await access.refuse(
      400,
      obErrorCodes.outsideTransactionWindow,
      'outside_transaction_window',
      'The requested period lies outside the period the customer consented to',
      ids,
    );
  }
  const cursor = request.page ? decodePage(request.page) : undefined;
  const grants = grantsOf(consent.permissions);
  const openings = await accountOpenings(ids);
  const accounts = ids.filter((id) => openings.has(id)).map((id) => ({ id, openedAt: openings.get(id)! }));
  const bodies: ReturnType<typeof transactionBody>[] = [];
  let next: string | undefined;
  for (let index = cursor?.account ?? 0; index < accounts.length && !next; index++) {
    const account = accounts[index]!;
    const page = await transactionsPage(
      account.id,
      { from: latest(from, account.openedAt)!, to },
      {
        limit: pageSize - bodies.length,
        ...(cursor && index === cursor.account && cursor.at
          ? { after: { at: cursor.at, id: cursor.id! } }
          : {}),
        keep: (t) => directionGranted(t, grants),
      },
    );
    bodies.push(...page.transactions.map((t) => transactionBody(account.id, t, grants)));
    if (page.next) next = encodePage({ account: index, ...page.next });
    else if (bodies.length >= pageSize && index + 1 < accounts.length)
      next = encodePage({ account: index + 1 });
  }
  await access.recordAccess(ids, bodies.length);
  return { transactions: bodies, next };
}
