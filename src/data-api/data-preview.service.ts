import { accountLabel } from '../accounts/account-label.js';
import { findAccounts, findBalances } from '../accounts/account.repository.js';
import { transactionsPage } from '../accounts/transaction.repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ConsentRecord } from '../consents/consent.model.js';
import type { RequestContext } from '../http/request-context.js';
import { accountBody, balanceBodies, directionGranted, grantsOf, transactionBody } from './data-shaping.js';
import { bookingWindow, latest } from './transactions-page.js';

/** How many of each account's latest transactions the preview shows. */
const latestTransactions = 3;

/**
 * "See exactly what the app will get": the customer's own data shaped and masked by the very
 * functions the data API serves it with (data-shaping.ts), under the consent's permissions
 * and transaction window, so the preview cannot differ from what the app would be sent.
 * Nothing here goes to the app. Showing it is audited, as every sight of account data is.
 */
export async function previewForCustomer(
  audit: AuditLog,
  consent: ConsentRecord,
  customerId: string,
  accountIds: string[],
  context: RequestContext,
  now = new Date(),
) {
  const grants = grantsOf(consent.permissions);
  const readsBalances = consent.permissions.includes('ReadBalances');
  const readsTransactions = consent.permissions.some((p) => p.startsWith('ReadTransactions'));
  const [accounts, balances] = await Promise.all([
    findAccounts(accountIds),
    readsBalances ? findBalances(accountIds) : Promise.resolve([]),
  ]);
  const { from, to } = bookingWindow(consent, {}, now);
  const previews = await Promise.all(
    accounts.map(async (account) => {
      const transactions = readsTransactions
        ? (
            await transactionsPage(
              account._id,
              { from: latest(from, account.openedAt)!, to },
              { limit: latestTransactions, keep: (t) => directionGranted(t, grants) },
            )
          ).transactions.map((t) => transactionBody(account._id, t, grants))
        : [];
      return {
        label: accountLabel(account),
        account: accountBody(account, grants, customerId),
        balances: balances.filter((b) => b._id === account._id).flatMap(balanceBodies),
        transactions,
      };
    }),
  );
  await audit.record({
    action: 'consent.previewed',
    actor: { type: 'customer', id: customerId },
    outcome: 'success',
    customerId,
    clientId: consent.clientId,
    consentId: consent._id,
    accountIds: accounts.map((a) => a._id),
    context,
    details: { shownToCustomerOnly: true },
  });
  return previews;
}

export type AccountPreview = Awaited<ReturnType<typeof previewForCustomer>>[number];
