import type { AccountKind } from '../accounts/account.model.js';
import { firstNames, lastNames, pickMerchant } from './merchants.js';
import { luhnComplete, maskPan } from './card-numbers.js';
import { Random, stableId } from './random.js';

/**
 * Pure generation of realistic bank data. Everything is derived from the seed value and
 * positions (customer n, account m, transaction k), so the same arguments always produce
 * the same records and re-running the seed never duplicates anything.
 */

const dayMs = 86_400_000;

export interface GeneratedCustomer {
  customerId: string;
  name: string;
  email: string;
}

export interface GeneratedAccount {
  accountId: string;
  customerId: string;
  kind: AccountKind;
  currency: string;
  name: string;
  nickname: string;
  openedAt: Date;
  status: 'Enabled';
  sortCode?: string;
  accountNumber?: string;
  cardScheme: string;
  pan: string;
  maskedPan: string;
  /** A joint account's holders, main holder first. */
  holderIds?: string[];
  /** A card's additional cardholders, each with a card number of their own. */
  cardholders?: { customerId: string; pan: string; maskedPan: string }[];
}

export interface GeneratedTransaction {
  transactionId: string;
  accountId: string;
  bookingDateTime: Date;
  valueDateTime?: Date;
  amountMinor: number;
  currency: string;
  creditDebit: 'Credit' | 'Debit';
  status: 'Booked' | 'Pending';
  description: string;
  merchantName?: string;
  merchantCategoryCode?: string;
  cardScheme?: string;
  cardAuthorisation?: 'ChipAndPin' | 'Contactless' | 'ConsumerDevice' | 'None';
  maskedPan?: string;
  balanceAfterMinor: number;
}

export interface GeneratedBalance {
  accountId: string;
  currency: string;
  bookedMinor: number;
  availableMinor: number;
  creditLimitMinor?: number;
  asOf: Date;
}

export function generateCustomer(seed: string, index: number): GeneratedCustomer {
  const random = new Random(`${seed}/customer/${index}`);
  const first = random.pick(firstNames);
  const last = random.pick(lastNames);
  return {
    customerId: stableId('cus', seed, index),
    name: `${first} ${last}`,
    email: `${first}.${last}.${index}@example.com`.toLowerCase(),
  };
}

export function generateAccount(
  seed: string,
  customerId: string,
  index: number,
  asOf: Date,
): GeneratedAccount {
  const random = new Random(`${seed}/account/${customerId}/${index}`);
  const kind: AccountKind = index % 2 === 0 ? 'checking' : 'credit_card';
  const pan = luhnComplete(`4${kind === 'checking' ? '65859' : '92181'}${random.digits(9)}`);
  const common = {
    accountId: stableId('acc', seed, customerId, index),
    customerId,
    kind,
    currency: 'GBP',
    openedAt: new Date(asOf.getTime() - random.int(400, 4000) * dayMs),
    status: 'Enabled' as const,
    cardScheme: 'Visa',
    pan,
    maskedPan: maskPan(pan),
  };
  if (kind === 'checking') {
    return {
      ...common,
      name: 'Everyday Current Account',
      nickname: index === 0 ? 'Main account' : `Current account ${index / 2 + 1}`,
      sortCode: `40${random.digits(4)}`,
      accountNumber: random.digits(8),
    };
  }
  return {
    ...common,
    name: 'Rewards Credit Card',
    nickname: index === 1 ? 'Credit card' : `Credit card ${(index + 1) / 2}`,
  };
}

/** A current account held jointly by `holderIds` (the first is the main holder). */
export function generateJointAccount(seed: string, holderIds: string[], asOf: Date): GeneratedAccount {
  const account = generateAccount(`${seed}/joint`, holderIds[0]!, 0, asOf);
  return { ...account, nickname: 'Joint account', holderIds };
}

/** The card with an additional cardholder, who gets a card number of their own on it. */
export function withAdditionalCardholder(
  seed: string,
  card: GeneratedAccount,
  cardholderId: string,
): GeneratedAccount {
  const random = new Random(`${seed}/cardholder/${card.accountId}/${cardholderId}`);
  const pan = luhnComplete(`492181${random.digits(9)}`);
  return {
    ...card,
    cardholders: [...(card.cardholders ?? []), { customerId: cardholderId, pan, maskedPan: maskPan(pan) }],
  };
}

/**
 * A year of an account's transactions up to `asOf`, oldest first, with the balance they
 * leave. Current accounts get a monthly salary followed by rent; credit cards a monthly repayment. The
 * last two days' card payments are still pending.
 */
export function generateTransactions(
  seed: string,
  account: GeneratedAccount,
  count: number,
  asOf: Date,
): { transactions: GeneratedTransaction[]; balance: GeneratedBalance } {
  const random = new Random(`${seed}/transactions/${account.accountId}`);
  const start = asOf.getTime() - 365 * dayMs;
  const times = Array.from({ length: count }, () => start + Math.floor(random.next() * 365 * dayMs)).sort(
    (a, b) => a - b,
  );
  const isCard = account.kind === 'credit_card';
  const creditLimitMinor = isCard ? random.int(6, 20) * 50_000 : undefined;
  const salaryMinor = random.int(2200, 4800) * 100;
  let booked = isCard ? 0 : random.int(500, 3000) * 100;
  const rentMinor = Math.round((salaryMinor * random.int(55, 70)) / 100);
  let pendingDebits = 0;
  let lastMonth = -1;
  let rentDue = false;

  const transactions = times.map((time, index): GeneratedTransaction => {
    const bookingDateTime = new Date(time);
    const month = bookingDateTime.getUTCFullYear() * 12 + bookingDateTime.getUTCMonth();
    const pending = time > asOf.getTime() - 2 * dayMs;
    const base = {
      transactionId: stableId('txn', account.accountId, index),
      accountId: account.accountId,
      bookingDateTime,
      currency: account.currency,
    };

    if (rentDue && !isCard && !pending) {
      rentDue = false;
      booked -= rentMinor;
      return {
        ...base,
        valueDateTime: bookingDateTime,
        amountMinor: rentMinor,
        creditDebit: 'Debit',
        status: 'Booked',
        description: 'STANDING ORDER RENT HOLLOWAY LETTINGS',
        balanceAfterMinor: booked,
      };
    }

    // A card with nothing owed has no repayment that month.
    if (month !== lastMonth && !pending && !(isCard && booked >= 0)) {
      lastMonth = month;
      rentDue = true;
      const amountMinor = isCard ? Math.max(0, -booked) : salaryMinor;
      booked += amountMinor;
      return {
        ...base,
        valueDateTime: bookingDateTime,
        amountMinor,
        creditDebit: 'Credit',
        status: 'Booked',
        description: isCard ? 'PAYMENT RECEIVED - THANK YOU' : 'SALARY NORTHWIND TRADING LTD',
        balanceAfterMinor: booked,
      };
    }

    const merchant = pickMerchant(random.next());
    const amountMinor = random.int(merchant.minMinor, merchant.maxMinor);
    const refund = random.chance(0.03);
    const card = {
      merchantName: merchant.name,
      merchantCategoryCode: merchant.categoryCode,
      cardScheme: account.cardScheme,
      cardAuthorisation: random.pick(['ChipAndPin', 'Contactless', 'Contactless', 'ConsumerDevice'] as const),
      // On a card with additional cardholders, some purchases are theirs, on their own card numbers.
      maskedPan: account.cardholders?.length
        ? random.chance(0.35)
          ? random.pick(account.cardholders).maskedPan
          : account.maskedPan
        : account.maskedPan,
    };
    if (pending && !refund) pendingDebits += amountMinor;
    else booked += refund ? amountMinor : -amountMinor;
    return {
      ...base,
      ...(pending ? {} : { valueDateTime: new Date(time + random.int(0, 2) * dayMs) }),
      amountMinor,
      creditDebit: refund ? 'Credit' : 'Debit',
      status: pending && !refund ? 'Pending' : 'Booked',
      description: `${refund ? 'REFUND ' : ''}${merchant.name.toUpperCase()}`,
      ...card,
      balanceAfterMinor: booked,
    };
  });

  const availableMinor = isCard ? creditLimitMinor! + booked - pendingDebits : booked - pendingDebits;
  return {
    transactions,
    balance: {
      accountId: account.accountId,
      currency: account.currency,
      bookedMinor: booked,
      availableMinor,
      ...(creditLimitMinor ? { creditLimitMinor } : {}),
      asOf,
    },
  };
}
