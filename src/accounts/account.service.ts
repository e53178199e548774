import { listOfNames } from '../http/list-of-names.js';
import { additionalCardholdersOf, holdersOf, peopleOf, roleOf, type HeldAccount } from './account-holders.js';
import { accountLabel } from './account-label.js';
import { accountIdsOfCustomer, findAccounts, findBalances } from './account.repository.js';
import { findCustomers } from './customer.repository.js';

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
  /** Who else holds or uses it ("Joint account with Bob Tester"), for an account not hers alone. */
  heldWith: string | undefined;
}

/** A customer's own accounts with their current balances, in the order the bank lists them. */
export async function listAccountsWithBalances(customerId: string): Promise<AccountSummary[]> {
  const ids = await accountIdsOfCustomer(customerId);
  const [accounts, balances] = await Promise.all([findAccounts(ids), findBalances(ids)]);
  const byAccount = new Map(balances.map((b) => [b._id, b]));
  const others = [...new Set(accounts.flatMap(peopleOf))].filter((id) => id !== customerId);
  const names = new Map((await findCustomers(others)).map((c) => [c._id, c.name]));
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
      heldWith: heldWith(account, customerId, (id) => names.get(id) ?? 'another customer'),
    };
  });
}

function heldWith(account: HeldAccount, customerId: string, nameOf: (id: string) => string) {
  const others = (ids: string[]) => listOfNames(ids.filter((id) => id !== customerId).map(nameOf));
  switch (roleOf(account, customerId)) {
    case 'joint':
      return `Joint account with ${others(holdersOf(account))}.`;
    case 'additional_cardholder':
      return `${nameOf(account.customerId)}’s card, on which you have a card of your own.`;
    case 'main_cardholder':
      return `Your card. ${others(additionalCardholdersOf(account))} also ${additionalCardholdersOf(account).length > 1 ? 'have cards' : 'has a card'} on it.`;
    default:
      return undefined;
  }
}

function formatSortCode(sortCode: string): string {
  return sortCode.replace(/^(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3');
}
