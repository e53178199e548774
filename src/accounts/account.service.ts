import { AccountModel } from './account.model.js';
import { BalanceModel } from './balance.model.js';

export interface AccountSummary {
  accountId: string;
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

/** A customer's own accounts with their current balances, checking accounts first. */
export async function listAccountsWithBalances(customerId: string): Promise<AccountSummary[]> {
  const accounts = await AccountModel.find({ customerId }).sort({ kind: 1, accountId: 1 }).lean();
  const balances = await BalanceModel.find({ accountId: { $in: accounts.map((a) => a.accountId) } }).lean();
  const byAccount = new Map(balances.map((b) => [b.accountId, b]));
  return accounts.map((account) => {
    const balance = byAccount.get(account.accountId);
    return {
      accountId: account.accountId,
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
