/**
 * The account-access consent: what an app asked for, what the customer decided, and the
 * rules that move it between statuses. Pure: no database, no clock of its own.
 */

export const consentStatuses = ['AWAU', 'AUTH', 'RJCT', 'CANC', 'EXPD'] as const;
export type ConsentStatus = (typeof consentStatuses)[number];

/** The permissions this bank serves: card transactions and balances. Any other is refused. */
export const servedPermissions = [
  'ReadAccountsBasic',
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadPAN',
  'ReadTransactionsBasic',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
] as const;
export type Permission = (typeof servedPermissions)[number];

/** What each permission means, in the words shown to the customer on the consent screen. */
export const permissionWording: Record<Permission, { title: string; detail: string }> = {
  ReadAccountsBasic: {
    title: 'Your account names and types',
    detail: 'Which accounts you have, their names and currencies.',
  },
  ReadAccountsDetail: {
    title: 'Your account names, types and numbers',
    detail: 'Account names and types, plus sort codes and account numbers.',
  },
  ReadBalances: {
    title: 'Your balances',
    detail: 'Current and available balances, and credit limits on cards.',
  },
  ReadPAN: {
    title: 'Your full card numbers',
    detail: 'Card numbers in full. Without this they are shown masked (last four digits).',
  },
  ReadTransactionsBasic: {
    title: 'Your transactions (summary)',
    detail: 'Amount, date, and whether money came in or went out.',
  },
  ReadTransactionsDetail: {
    title: 'Your transactions (full detail)',
    detail: 'Amount and date plus merchant names, categories and descriptions.',
  },
  ReadTransactionsCredits: {
    title: 'Money coming in',
    detail: 'Payments into your accounts, such as salary and refunds.',
  },
  ReadTransactionsDebits: {
    title: 'Money going out',
    detail: 'Card payments and other payments out of your accounts.',
  },
};

export interface ConsentState {
  status: ConsentStatus;
  creationDateTime: Date;
  expirationDateTime?: Date;
}

export interface ConsentRules {
  /** How long a consent may wait for the customer before it is rejected. */
  authorisationWindowMs: number;
}

export const defaultRules: ConsentRules = { authorisationWindowMs: 60 * 60 * 1000 };

/** Which statuses may follow which. AUTH, once left, is never re-entered. */
const transitions: Record<ConsentStatus, readonly ConsentStatus[]> = {
  AWAU: ['AUTH', 'RJCT'],
  AUTH: ['CANC', 'EXPD'],
  RJCT: [],
  CANC: [],
  EXPD: [],
};

export function canMove(from: ConsentStatus, to: ConsentStatus): boolean {
  return transitions[from].includes(to);
}

/**
 * The move time alone forces on a consent when it is next touched: an authorisation that
 * waited too long is rejected; an authorised consent past its expiry has expired.
 */
export function lapse(
  consent: ConsentState,
  now: Date,
  rules: ConsentRules = defaultRules,
): { to: ConsentStatus; reason: StatusReason } | undefined {
  if (
    consent.status === 'AWAU' &&
    now.getTime() - consent.creationDateTime.getTime() > rules.authorisationWindowMs
  ) {
    return { to: 'RJCT', reason: statusReasons.authorisationTimedOut };
  }
  if (consent.status === 'AUTH' && consent.expirationDateTime && consent.expirationDateTime <= now) {
    return { to: 'EXPD', reason: statusReasons.expired };
  }
  return undefined;
}

export interface StatusReason {
  StatusReasonCode: string;
  StatusReasonDescription: string;
}

/** Reasons recorded with each status change (OB StatusReason; the 4-character codes are this bank's). */
export const statusReasons = {
  authorised: { StatusReasonCode: 'C001', StatusReasonDescription: 'Authorised by the customer' },
  rejectedByCustomer: { StatusReasonCode: 'C002', StatusReasonDescription: 'Rejected by the customer' },
  authorisationTimedOut: {
    StatusReasonCode: 'C003',
    StatusReasonDescription: 'Not authorised within an hour of creation',
  },
  revokedByCustomer: { StatusReasonCode: 'C004', StatusReasonDescription: 'Revoked by the customer' },
  revokedByApp: { StatusReasonCode: 'C005', StatusReasonDescription: 'Deleted by the third-party provider' },
  revokedByBank: { StatusReasonCode: 'C006', StatusReasonDescription: 'Revoked by the bank' },
  expired: { StatusReasonCode: 'C007', StatusReasonDescription: 'Reached its expiration date and time' },
  accountRemoved: {
    StatusReasonCode: 'C008',
    StatusReasonDescription: 'An account was removed by the customer',
  },
  grantRevoked: {
    StatusReasonCode: 'C009',
    StatusReasonDescription:
      'Ended by the authorisation server: an authorisation code or refresh token was used twice, or the app revoked its tokens',
  },
} as const satisfies Record<string, StatusReason>;

export interface PermissionProblem {
  /** What kind of problem, so the API answers with its code without reading the message. */
  kind: 'unsupported_permission' | 'invalid_date' | 'invalid';
  path: string;
  message: string;
}

/**
 * The OB rules for a requested permission set and dates, beyond their shapes: only served
 * permissions; at least one ReadAccounts permission; Basic/Detail transaction permissions
 * need Credits and/or Debits (and the reverse); sane dates within the allowed lifetime.
 */
export function checkConsentRequest(
  request: {
    Permissions: readonly string[];
    ExpirationDateTime?: Date;
    TransactionFromDateTime?: Date;
    TransactionToDateTime?: Date;
  },
  now: Date,
  maxDays: number,
): PermissionProblem[] {
  const problems: PermissionProblem[] = [];
  const permissions = new Set(request.Permissions);
  const unserved = [...permissions].filter((p) => !(servedPermissions as readonly string[]).includes(p));
  if (unserved.length > 0) {
    problems.push({
      kind: 'unsupported_permission',
      path: 'Data.Permissions',
      message: `This bank does not serve ${unserved.join(', ')}; it serves ${servedPermissions.join(', ')}`,
    });
  }
  if (permissions.size !== request.Permissions.length) {
    problems.push({
      kind: 'invalid',
      path: 'Data.Permissions',
      message: 'Each permission may be listed once',
    });
  }
  if (!permissions.has('ReadAccountsBasic') && !permissions.has('ReadAccountsDetail')) {
    problems.push({
      kind: 'invalid',
      path: 'Data.Permissions',
      message: 'At least one of ReadAccountsBasic or ReadAccountsDetail is required',
    });
  }
  const transactionLevel =
    permissions.has('ReadTransactionsBasic') || permissions.has('ReadTransactionsDetail');
  const transactionDirection =
    permissions.has('ReadTransactionsCredits') || permissions.has('ReadTransactionsDebits');
  if (transactionLevel && !transactionDirection) {
    problems.push({
      kind: 'invalid',
      path: 'Data.Permissions',
      message:
        'ReadTransactionsBasic or ReadTransactionsDetail needs ReadTransactionsCredits and/or ReadTransactionsDebits',
    });
  }
  if (transactionDirection && !transactionLevel) {
    problems.push({
      kind: 'invalid',
      path: 'Data.Permissions',
      message:
        'ReadTransactionsCredits or ReadTransactionsDebits needs ReadTransactionsBasic or ReadTransactionsDetail',
    });
  }

  const latest = new Date(now.getTime() + maxDays * 86_400_000);
  if (request.ExpirationDateTime) {
    if (request.ExpirationDateTime <= now) {
      problems.push({
        kind: 'invalid_date',
        path: 'Data.ExpirationDateTime',
        message: 'must be in the future',
      });
    } else if (request.ExpirationDateTime > latest) {
      problems.push({
        kind: 'invalid_date',
        path: 'Data.ExpirationDateTime',
        message: `must be no more than ${maxDays} days from now`,
      });
    }
  }
  if (
    request.TransactionFromDateTime &&
    request.TransactionToDateTime &&
    request.TransactionFromDateTime > request.TransactionToDateTime
  ) {
    problems.push({
      kind: 'invalid_date',
      path: 'Data.TransactionFromDateTime',
      message: 'must not be after TransactionToDateTime',
    });
  }
  return problems;
}

/** When a consent asked for no expiry, it gets the longest the bank allows. */
export function effectiveExpiry(requested: Date | undefined, now: Date, maxDays: number): Date {
  return requested ?? new Date(now.getTime() + maxDays * 86_400_000);
}
