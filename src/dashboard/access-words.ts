/** An audited request path (`GET /accounts/{AccountId}/transactions`) as a customer would say it. */
export function describeResource(resource: string | undefined): string {
  if (!resource) return 'Your data';
  if (resource.includes('transactions')) return 'Transactions';
  if (resource.includes('balances')) return 'Balances';
  if (resource.includes('accounts')) return 'Account details';
  return 'Your data';
}

/** Reads counted at most, for the lines that say how often an app looked; past it they say "more than". */
export const readCountCap = 1000;

/** In a sentence: "once", "twice", "31 times". */
export function timesInWords(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n.toLocaleString('en-GB')} times`;
}

/**
 * In a list of facts: "1 time", "31 times", or "More than 1,000 times" when the search
 * that counted them stopped at `readCountCap`.
 */
export function readCount(found: number, stoppedAtCap: boolean): string {
  if (stoppedAtCap) return `More than ${readCountCap.toLocaleString('en-GB')} times`;
  return `${found.toLocaleString('en-GB')} ${found === 1 ? 'time' : 'times'}`;
}

/** What a read handed over: "100 transactions", "Balances of 2 accounts". */
export function describeRead(resource: string | undefined, count: number | undefined): string {
  const what = describeResource(resource);
  if (count === undefined) return what;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (what === 'Transactions') return plural(count, 'transaction', 'transactions');
  if (what === 'Balances') return `Balances of ${plural(count, 'account', 'accounts')}`;
  if (what === 'Account details') return `Details of ${plural(count, 'account', 'accounts')}`;
  return what;
}

/**
 * Why a read was refused, as a sentence for the customer's access history. The audit log
 * keeps the code; an unknown code still gets a true, general sentence.
 */
const sentences: Record<string, string> = {
  account_not_in_consent: 'It asked for an account you have not shared with it.',
  permission_missing: 'It asked for data you did not allow it to see.',
  outside_transaction_window: 'It asked for transactions from outside the dates you agreed.',
  unattended_limit: 'It had reached its daily limit for reading your data while you were not using it.',
  consent_revoked: 'Its access had already ended.',
  consent_expired: 'Its access had expired.',
  consent_rejected: 'You had declined its request.',
  consent_not_authorised: 'You had not approved its request yet.',
  consent_mismatch: 'It used a key that belongs to another connection.',
  app_suspended: 'We had suspended the app.',
  insufficient_scope: 'It did not have permission for this.',
  invalid_token: 'Its access key was not valid.',
  invalid_dpop_proof: 'Its request was not signed properly.',
  joint_approval_pending: 'The joint account was still waiting for the other holder to approve.',
  joint_approval_lapsed: 'The other holder of the joint account did not approve it in time.',
  joint_approval_declined: 'The other holder of the joint account declined to share it.',
  joint_option_changed: 'The joint account’s holders no longer allow sharing it this way.',
  sharing_stopped_by_holder: 'A holder of the account had stopped sharing it with this app.',
  secondary_user_instruction_withdrawn: 'The main cardholder no longer allows this card to be shared.',
  sharing_not_recorded: 'The account’s other holders had not been asked.',
};

export function refusalInWords(code: string | undefined): string {
  return (code && sentences[code]) || 'The request did not meet the rules for sharing your data.';
}
