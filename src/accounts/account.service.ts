import { accountLabel } from './account-label.js';
import { accountIdsOfCustomer, findAccounts, findBalances } from './account.repository.js';

export interface AccountSummary {
  accountId: string;
  /** The one name pages use for it (account-label.ts). */
  label: string;
  kind: 'checking' | 'credit_card';
  name: string;
  nickname: string | undefined;
  currency: string;
  identification: string;
  bookedMinor: number | undefined;
  availableMinor: number | undefined;
  creditLimitMinor: number | undefined;
  balanceAsOf: Date | undefined;
}

/** A customer's own accounts with their current balances, in the order the bank lists them. */
export async function listAccountsWithBalances(customerId: string): Promise<AccountSummary[]> {
  const ids = await accountIdsOfCustomer(customerId);
  const [accounts, balances] = await Promise.all([findAccounts(ids), findBalances(ids)]);
  const byAccount = new Map(balances.map((b) => [b._id, b]));
  return accounts.map((account) => {
    const balance = byAccount.get(account._id);
    return {
      accountId: account._id,
      label: accountLabel(account),
      kind: account.kind,
      name: account.name,
      nickname: account.nickname ?? undefined,
      currency: account.currency,
      identification:
        account.kind === 'credit_card'
          ? (account.maskedPan ?? '')
          : `${formatSortCode(account.sortCode ?? '')} ${account.accountNumber ?? ''}`.trim(),
      bookedMinor: balance?.bookedMinor,
      availableMinor: balance?.availableMinor,
      creditLimitMinor: balance?.creditLimitMinor ?? undefined,
      balanceAsOf: balance?.asOf,
    };
  });
}

function formatSortCode(sortCode: string): string {
  return sortCode.replace(/^(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3');
}
