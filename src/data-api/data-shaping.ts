import type { AccountRecord } from '../accounts/account.model.js';
import type { BalanceRecord } from '../accounts/balance.model.js';
import type { TransactionRecord } from '../accounts/transaction.model.js';
import { iso } from '../open-banking/ob-dates.js';

/**
 * What a consent's permissions let an app see, as OB v4.0 bodies. Pure functions over the
 * bank's records: Basic vs Detail decides the fields, ReadPAN decides whether card
 * numbers are shown in full, Credits/Debits decide which transactions are returned.
 */

export interface Grants {
  accountsDetail: boolean;
  pan: boolean;
  transactionsDetail: boolean;
  credits: boolean;
  debits: boolean;
}

export function grantsOf(permissions: readonly string[]): Grants {
  const has = (p: string) => permissions.includes(p);
  return {
    accountsDetail: has('ReadAccountsDetail'),
    pan: has('ReadPAN'),
    transactionsDetail: has('ReadTransactionsDetail'),
    credits: has('ReadTransactionsCredits'),
    debits: has('ReadTransactionsDebits'),
  };
}

// The bank records chip-and-PIN; OB's code for it is PIN.
const authorisationTypes = {
  ChipAndPin: 'PIN',
  Contactless: 'Contactless',
  ConsumerDevice: 'ConsumerDevice',
  None: 'None',
} as const;

export const money = (minor: number) => (Math.abs(minor) / 100).toFixed(2);

/**
 * An account as the OB API shows it to the app of `sharedBy`'s connection. On a card shared
 * by an additional cardholder, the card number is theirs: the main cardholder's number is
 * not theirs to give.
 */
export function accountBody(account: AccountRecord, grants: Grants, sharedBy: string) {
  const card = account.kind === 'credit_card';
  const number = account.cardholders?.find((c) => c.customerId === sharedBy) ?? account;
  const identification = card
    ? { SchemeName: 'UK.OBIE.PAN', Identification: grants.pan ? number.pan! : number.maskedPan! }
    : {
        SchemeName: 'UK.OBIE.SortCodeAccountNumber',
        Identification: `${account.sortCode}${account.accountNumber}`,
      };
  return {
    AccountId: account._id,
    Status: account.status ?? 'Enabled',
    Currency: account.currency,
    AccountCategory: 'Personal',
    AccountTypeCode: card ? 'CARD' : 'CACC',
    Description: account.name.slice(0, 35),
    ...(account.nickname ? { Nickname: account.nickname } : {}),
    OpeningDate: iso(account.openedAt),
    ...(grants.accountsDetail ? { Account: [{ ...identification, Name: account.name }] } : {}),
  };
}

export function balanceBodies(balance: BalanceRecord) {
  const entry = (type: 'ITBD' | 'ITAV', minor: number) => ({
    AccountId: balance._id,
    CreditDebitIndicator: minor < 0 ? 'Debit' : 'Credit',
    Type: type,
    DateTime: iso(balance.asOf),
    Amount: { Amount: money(minor), Currency: balance.currency },
    ...(balance.creditLimitMinor
      ? {
          CreditLine: [
            {
              Included: type === 'ITAV',
              Type: 'Credit',
              Amount: { Amount: money(balance.creditLimitMinor), Currency: balance.currency },
            },
          ],
        }
      : {}),
  });
  return [entry('ITBD', balance.bookedMinor), entry('ITAV', balance.availableMinor)];
}

/** Whether a transaction's direction was granted. */
export function directionGranted(
  transaction: Pick<TransactionRecord, 'creditDebit'>,
  grants: Grants,
): boolean {
  return transaction.creditDebit === 'Credit' ? grants.credits : grants.debits;
}

export function transactionBody(accountId: string, t: TransactionRecord, grants: Grants) {
  const basic = {
    AccountId: accountId,
    TransactionId: t.transactionId,
    CreditDebitIndicator: t.creditDebit,
    Status: t.status === 'Booked' ? 'BOOK' : 'PDNG',
    BookingDateTime: iso(t.bookingDateTime),
    ...(t.valueDateTime ? { ValueDateTime: iso(t.valueDateTime) } : {}),
    Amount: { Amount: money(t.amountMinor), Currency: t.currency },
  };
  if (!grants.transactionsDetail) return basic;
  return {
    ...basic,
    TransactionInformation: t.description,
    ...(typeof t.balanceAfterMinor === 'number' && t.status === 'Booked'
      ? {
          Balance: {
            CreditDebitIndicator: t.balanceAfterMinor < 0 ? 'Debit' : 'Credit',
            Type: 'ITBD',
            Amount: { Amount: money(t.balanceAfterMinor), Currency: t.currency },
          },
        }
      : {}),
    ...(t.merchantName
      ? { MerchantDetails: { MerchantName: t.merchantName, MerchantCategoryCode: t.merchantCategoryCode } }
      : {}),
    ...(t.cardScheme
      ? {
          CardInstrument: {
            CardSchemeName: t.cardScheme === 'Visa' ? 'VISA' : t.cardScheme,
            ...(t.cardAuthorisation ? { AuthorisationType: authorisationTypes[t.cardAuthorisation] } : {}),
            ...(t.maskedPan ? { Identification: t.maskedPan } : {}),
          },
        }
      : {}),
  };
}
