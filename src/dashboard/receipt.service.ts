import { CompactSign, compactVerify, importJWK, createLocalJWKSet, type JWK } from 'jose';
import { canonicalJson } from '../audit/audit-event.js';
import { accountLabel } from '../accounts/account-label.js';
import { findAccounts } from '../accounts/account.repository.js';
import { consentHistory } from '../consents/consent.repository.js';
import { listOfNames } from '../http/list-of-names.js';
import { NotFoundError } from '../errors.js';
import { iso } from '../open-banking/ob-dates.js';
import type { ConnectedApp } from './dashboard.service.js';

export const advertisingStatement =
  'The app may not use your data for advertising or marketing unless you have separately agreed to that.';

export interface Receipt {
  type: 'consent-receipt';
  consentId: string;
  issuer: string;
  issuedAt: string;
  app: { clientId: string; name: string; company?: string; purpose: string };
  data: { permission: string; description: string }[];
  accounts: string[];
  sharingPeriod: { from: string; to: string };
  givenAt: string;
  status: string;
  statusHistory: { status: string; at: string; reason: string }[];
  howToWithdraw: string;
  advertising: string;
}

/**
 * The consent receipt the Australian CDR receipt rule describes (who, why, what data,
 * which accounts, for how long, how to withdraw, when given), with the consent id and
 * its status history, signed with the bank's receipt key (ES256, /.well-known/receipt-keys.json) so that
 * anyone can check it was issued by the bank and not changed.
 */
export async function buildReceipt(app: ConnectedApp, issuer: string, now = new Date()): Promise<Receipt> {
  const { consent } = app;
  if (!consent.authorisedAt) throw new NotFoundError('A receipt exists only for a consent you authorised');
  const history = await consentHistory(consent._id, consent.version);
  const removals = await accountsTakenOut(history);
  return {
    type: 'consent-receipt',
    consentId: consent._id,
    issuer,
    issuedAt: iso(now),
    app: {
      clientId: consent.clientId,
      name: app.appName,
      ...(app.company ? { company: app.company } : {}),
      purpose: app.purpose,
    },
    data: consent.permissions.map((p, i) => ({ permission: p, description: app.permissions[i]?.title ?? p })),
    accounts: app.accounts.map((a) => a.label),
    sharingPeriod: { from: iso(consent.authorisedAt), to: iso(consent.expirationDateTime) },
    givenAt: iso(consent.authorisedAt),
    status: consent.status,
    statusHistory: [
      { status: 'AWAU', at: iso(consent.creationDateTime), reason: 'Requested by the app' },
      ...history.map((t, i) => ({
        status: t.to,
        at: iso(t.at),
        reason: removals.get(i) ?? t.reason?.StatusReasonDescription ?? '',
      })),
    ],
    howToWithdraw: `Sign in to ${issuer}, open Connected apps, choose ${app.appName} and press "Revoke access". ${app.appNotified ? 'The app is told at once, and asked to delete the data it has received.' : 'The app loses access at once, and learns of it the next time it asks for your data.'}`,
    advertising: advertisingStatement,
  };
}

/**
 * For each change that took accounts out of the consent (by its place in the history), a
 * sentence naming them: "Main account ending 8694 taken out by the customer".
 */
async function accountsTakenOut(history: { set?: unknown }[]): Promise<Map<number, string>> {
  const lists = history.map((t) => (t.set as { accountIds?: string[] } | undefined)?.accountIds);
  const taken = new Map<number, string[]>();
  let before: string[] | undefined;
  lists.forEach((ids, i) => {
    if (!ids) return;
    const gone = before?.filter((id) => !ids.includes(id)) ?? [];
    if (gone.length > 0) taken.set(i, gone);
    before = ids;
  });
  const labels = new Map(
    (await findAccounts([...new Set([...taken.values()].flat())])).map((a) => [a._id, accountLabel(a)]),
  );
  return new Map(
    [...taken].map(([i, ids]) => [
      i,
      `${listOfNames(ids.map((id) => labels.get(id) ?? 'An account'))} taken out by the customer`,
    ]),
  );
}

const receiptType = 'consent-receipt+jws';

export async function signReceipt(receipt: Receipt, signingJwk: Record<string, unknown>): Promise<string> {
  const key = await importJWK(signingJwk as JWK, 'ES256');
  return new CompactSign(new TextEncoder().encode(canonicalJson(receipt)))
    .setProtectedHeader({ alg: 'ES256', kid: String(signingJwk.kid), typ: receiptType })
    .sign(key);
}

/** Checks a receipt's signature against a published JWKS and returns the receipt it signs. */
export async function verifyReceipt(jws: string, jwks: { keys: JWK[] }): Promise<Receipt> {
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks));
  // The type says what was signed: a valid signature on anything else is no receipt.
  if (protectedHeader.typ !== receiptType)
    throw new Error(`not a consent receipt (typ ${protectedHeader.typ})`);
  return JSON.parse(new TextDecoder().decode(payload)) as Receipt;
}
