import type { AuditInput } from '../audit/audit-event.js';
import type { RequestContext } from '../http/request-context.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { accessToAccounts } from '../sharing/sharing.service.js';
import { statusReasons } from './consent.js';
import type { ConsentRecord } from './consent.model.js';
import { compareAndSetStatus, type TransitionSet } from './consent.repository.js';
import { currentConsent, move, settledConsent, type ConsentDeps } from './consent.service.js';
import {
  addToCustomer,
  claimOwner,
  consentIdsOfCustomer,
  ownerOfConsent,
} from './customer-consents.repository.js';
import { scheduleLapseCheck } from './lapse-schedule.repository.js';

/** What the customer does with consents: open, decide, see, revoke, narrow. */

type Actor = AuditInput['actor'];
const now = (deps: ConsentDeps) => deps.now?.() ?? new Date();

/**
 * The consent screen: the customer who first opens a pending consent becomes its owner;
 * nobody else can see or decide it.
 */
export async function openConsentForCustomer(
  deps: ConsentDeps,
  customerId: string,
  consentOrId: string | ConsentRecord,
): Promise<ConsentRecord> {
  // A caller that has just settled the consent passes it; a stale copy is harmless, since
  // the status change it leads to is claimed against the status it was read in.
  const consent = typeof consentOrId === 'string' ? await settledConsent(deps, consentOrId) : consentOrId;
  if (!consent) throw new NotFoundError('That consent request does not exist');
  const { owner, first } = await claimOwner(consent._id, customerId);
  if (owner !== customerId) throw new ForbiddenError('This consent request belongs to someone else');
  if (first) await addToCustomer(customerId, consent._id);
  return consent;
}

/** A customer's consents as they stand now, newest first, read without changing anything. */
export async function listConsentsForCustomer(deps: ConsentDeps, customerId: string) {
  const ids = await consentIdsOfCustomer(customerId);
  const consents = await Promise.all(ids.map((id) => currentConsent(deps, id)));
  return consents
    .filter((c) => c !== undefined)
    .sort((a, b) => b.creationDateTime.getTime() - a.creationDateTime.getTime());
}

export async function authoriseConsent(
  deps: ConsentDeps,
  customerId: string,
  consentOrId: string | ConsentRecord,
  decision: { accountIds: string[]; accountsWithOtherHolders?: string[]; grantId?: string },
  context: RequestContext,
) {
  const consent = await openConsentForCustomer(deps, customerId, consentOrId);
  const set: TransitionSet = {
    customerId,
    accountIds: decision.accountIds,
    ...(decision.accountsWithOtherHolders?.length
      ? { accountsWithOtherHolders: decision.accountsWithOtherHolders }
      : {}),
    authorisedAt: now(deps),
    ...(decision.grantId ? { grantId: decision.grantId } : {}),
  };
  // Looked at again when it expires, so the expiry is recorded and announced on time.
  await scheduleLapseCheck(consent._id, consent.expirationDateTime);
  return move(deps, {
    consent,
    to: 'AUTH',
    reason: statusReasons.authorised,
    actor: { type: 'customer', id: customerId },
    context,
    set,
  });
}

export async function rejectConsent(
  deps: ConsentDeps,
  customerId: string,
  consentOrId: string | ConsentRecord,
  context: RequestContext,
) {
  const consent = await openConsentForCustomer(deps, customerId, consentOrId);
  return move(deps, {
    consent,
    to: 'RJCT',
    reason: statusReasons.rejectedByCustomer,
    actor: { type: 'customer', id: customerId },
    context,
    set: { customerId },
  });
}

/**
 * Whether the consent is this customer's: recorded at approval, or, for a request not yet
 * decided, claimed when the customer opened its consent screen.
 */
async function belongsTo(consent: ConsentRecord | undefined, customerId: string): Promise<boolean> {
  if (!consent) return false;
  if (consent.customerId) return consent.customerId === customerId;
  return (await ownerOfConsent(consent._id)) === customerId;
}

/** A consent of this customer as it stands now, read without changing anything: another's does not exist (404). */
export async function customersOwnConsent(deps: ConsentDeps, customerId: string, consentId: string) {
  const consent = await currentConsent(deps, consentId);
  if (!consent || !(await belongsTo(consent, customerId)))
    throw new NotFoundError('You have no such consent');
  return consent;
}

/** A consent of this customer, with what time forced on it recorded: another's does not exist (404). */
async function customersConsent(
  deps: ConsentDeps,
  customerId: string,
  consentId: string,
  context: RequestContext,
) {
  const consent = await settledConsent(deps, consentId, context);
  if (!consent || !(await belongsTo(consent, customerId)))
    throw new NotFoundError('You have no such consent');
  return consent;
}

/** The customer turns down a request she opened but did not decide, from her connected apps page. */
export async function cancelRequestByCustomer(
  deps: ConsentDeps,
  customerId: string,
  consentId: string,
  context: RequestContext,
) {
  const consent = await customersConsent(deps, customerId, consentId, context);
  if (consent.status !== 'AWAU')
    throw new ConflictError('This request is no longer waiting for your decision', 'not_pending');
  return rejectConsent(deps, customerId, consent, context);
}

export async function revokeConsentByCustomer(
  deps: ConsentDeps,
  customerId: string,
  consentId: string,
  context: RequestContext,
) {
  const consent = await customersConsent(deps, customerId, consentId, context);
  return move(deps, {
    consent,
    to: 'CANC',
    reason: statusReasons.revokedByCustomer,
    actor: { type: 'customer', id: customerId },
    context,
  });
}

/**
 * The customer stops sharing one account and keeps the rest: an amendment of the
 * authorised consent, recorded in its history. The last account cannot be removed; the
 * consent is revoked instead.
 */
export async function removeAccountFromConsent(
  deps: ConsentDeps,
  customerId: string,
  consentId: string,
  accountId: string,
  context: RequestContext,
) {
  const consent = await customersConsent(deps, customerId, consentId, context);
  const remaining = (consent.accountIds ?? []).filter((id) => id !== accountId);
  if (remaining.length === (consent.accountIds ?? []).length)
    throw new NotFoundError('That account is not shared under this consent');
  // The last account the app can still see (or may, once the other holders approve) cannot
  // be taken out on its own: an account the other holders took off does not count.
  if (!(await anyStillShared(consent, remaining, now(deps)))) {
    throw new ConflictError(
      'This is the last account shared with the app: revoke access instead',
      'last_account',
    );
  }
  const actor: Actor = { type: 'customer', id: customerId };
  return compareAndSetStatus(
    {
      consent,
      to: 'AUTH',
      reason: statusReasons.accountRemoved,
      actor,
      at: now(deps),
      set: { accountIds: remaining },
      kind: 'amend',
    },
    (transitionId) =>
      deps.audit.record({
        action: 'consent.account_removed',
        actor,
        outcome: 'success',
        customerId,
        clientId: consent.clientId,
        consentId,
        accountIds: [accountId],
        context,
        details: { transition: transitionId, remaining: remaining.length },
      }),
  );
}

async function anyStillShared(consent: ConsentRecord, accountIds: string[], at: Date) {
  const withOthers = new Set(consent.accountsWithOtherHolders ?? []);
  if (accountIds.some((id) => !withOthers.has(id))) return true;
  const access = await accessToAccounts(accountIds, consent._id, at);
  return accountIds.some((id) => ['served', 'joint_approval_pending'].includes(access.get(id) ?? ''));
}
