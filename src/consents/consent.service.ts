import { randomUUID } from 'node:crypto';
import type { AuditInput, RequestContext } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import { claim, isDuplicateKey, findManyById } from '../db/primary-key.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import {
  effectiveExpiry,
  lapse,
  statusReasons,
  type ConsentStatus,
  type Permission,
  type StatusReason,
} from './consent.js';
import {
  ConsentModel,
  ConsentOwnerModel,
  CustomerConsentModel,
  type ConsentRecord,
} from './consent.model.js';
import { consentIdOfGrant } from '../oauth/grant-consent.model.js';
import { ConsentStateConflict, readConsent, transition, type TransitionSet } from './consent-transitions.js';

/** Told when a consent ends, so the app can be notified (webhooks). */
export interface ConsentNotifier {
  consentEnded(consent: ConsentRecord, event: 'revoked' | 'expired' | 'rejected'): Promise<void>;
}

export interface ConsentDeps {
  audit: AuditLog;
  notifier: ConsentNotifier;
  maxDays: number;
  now?: () => Date;
}

export interface ConsentRequest {
  Permissions: Permission[];
  ExpirationDateTime?: Date;
  TransactionFromDateTime?: Date;
  TransactionToDateTime?: Date;
}

type Actor = AuditInput['actor'];

const now = (deps: ConsentDeps) => deps.now?.() ?? new Date();

export async function createConsent(
  deps: ConsentDeps,
  clientId: string,
  request: ConsentRequest,
  context: RequestContext,
): Promise<ConsentRecord> {
  const at = now(deps);
  const consent: ConsentRecord = {
    _id: `aac-${randomUUID()}`,
    clientId,
    status: 'AWAU',
    statusUpdateDateTime: at,
    creationDateTime: at,
    permissions: request.Permissions,
    expirationDateTime: effectiveExpiry(request.ExpirationDateTime, at, deps.maxDays),
    ...(request.TransactionFromDateTime ? { transactionFromDateTime: request.TransactionFromDateTime } : {}),
    ...(request.TransactionToDateTime ? { transactionToDateTime: request.TransactionToDateTime } : {}),
    version: 0,
  };
  // Audited first: a consent that exists was recorded.
  await deps.audit.record({
    action: 'consent.created',
    actor: { type: 'app', id: clientId },
    outcome: 'success',
    clientId,
    consentId: consent._id,
    permissions: consent.permissions,
    context,
    details: { expires: consent.expirationDateTime.toISOString() },
  });
  await ConsentModel.collection.insertOne(consent as never);
  return consent;
}

/**
 * Reads a consent and applies whatever time has forced on it (an authorisation that
 * waited too long is rejected, an expired one expires), recording and announcing it.
 */
export async function settledConsent(deps: ConsentDeps, consentId: string, context?: RequestContext) {
  const consent = await readConsent(consentId, now(deps));
  if (!consent) return undefined;
  const due = lapse(
    {
      status: consent.status as ConsentStatus,
      creationDateTime: consent.creationDateTime,
      expirationDateTime: consent.expirationDateTime,
    },
    now(deps),
  );
  if (!due) return consent;
  try {
    return await move(
      deps,
      consent,
      due.to,
      due.reason,
      { type: 'system', id: 'consent-lifecycle' },
      context,
    );
  } catch (error) {
    // Anything but a lost race (e.g. the audit log is down) fails the caller: never serve a lapsed consent.
    if (!(error instanceof ConsentStateConflict)) throw error;
    // Another request is recording the same lapse; until it lands, time has still ended this consent.
    const current = (await readConsent(consentId, now(deps)))!;
    const still = lapse(
      {
        status: current.status as ConsentStatus,
        creationDateTime: current.creationDateTime,
        expirationDateTime: current.expirationDateTime,
      },
      now(deps),
    );
    return still ? { ...current, status: still.to, statusReason: still.reason } : current;
  }
}

/** A consent as its app sees it: another app's consent does not exist (404). */
export async function getConsentForApp(
  deps: ConsentDeps,
  clientId: string,
  consentId: string,
  context?: RequestContext,
) {
  const consent = await settledConsent(deps, consentId, context);
  if (!consent || consent.clientId !== clientId)
    throw new NotFoundError('No account-access consent with that ConsentId');
  return consent;
}

/** The app withdraws its consent: an authorised one is cancelled, a pending one rejected; an ended one stays as it is. */
export async function deleteConsentByApp(
  deps: ConsentDeps,
  clientId: string,
  consentId: string,
  context: RequestContext,
) {
  const consent = await getConsentForApp(deps, clientId, consentId, context);
  const actor: Actor = { type: 'app', id: clientId };
  if (consent.status === 'AUTH')
    return move(deps, consent, 'CANC', statusReasons.revokedByApp, actor, context);
  if (consent.status === 'AWAU')
    return move(deps, consent, 'RJCT', statusReasons.revokedByApp, actor, context);
  return consent;
}

/**
 * The consent screen: the customer who first opens a pending consent becomes its owner;
 * nobody else can see or decide it.
 */
export async function openConsentForCustomer(
  deps: ConsentDeps,
  customerId: string,
  consentOrId: string | ConsentRecord,
) {
  // A caller that has just settled the consent passes it; a stale copy is harmless, since
  // the status change it leads to is claimed against the status it was read in.
  const consent = typeof consentOrId === 'string' ? await settledConsent(deps, consentOrId) : consentOrId;
  if (!consent) throw new NotFoundError('That consent request does not exist');
  await claimOwnership(customerId, consent._id);
  return consent;
}

export async function authoriseConsent(
  deps: ConsentDeps,
  customerId: string,
  consentOrId: string | ConsentRecord,
  decision: { accountIds: string[]; grantId?: string },
  context: RequestContext,
) {
  const consent = await openConsentForCustomer(deps, customerId, consentOrId);
  const set: TransitionSet = {
    customerId,
    accountIds: decision.accountIds,
    authorisedAt: now(deps),
    ...(decision.grantId ? { grantId: decision.grantId } : {}),
  };
  return move(
    deps,
    consent,
    'AUTH',
    statusReasons.authorised,
    { type: 'customer', id: customerId },
    context,
    set,
  );
}

export async function rejectConsent(
  deps: ConsentDeps,
  customerId: string,
  consentOrId: string | ConsentRecord,
  context: RequestContext,
) {
  const consent = await openConsentForCustomer(deps, customerId, consentOrId);
  return move(
    deps,
    consent,
    'RJCT',
    statusReasons.rejectedByCustomer,
    { type: 'customer', id: customerId },
    context,
    {
      customerId,
    },
  );
}

export async function revokeConsentByCustomer(
  deps: ConsentDeps,
  customerId: string,
  consentId: string,
  context: RequestContext,
) {
  const consent = await settledConsent(deps, consentId, context);
  if (!consent || consent.customerId !== customerId) throw new NotFoundError('You have no such consent');
  return move(
    deps,
    consent,
    'CANC',
    statusReasons.revokedByCustomer,
    { type: 'customer', id: customerId },
    context,
  );
}

/** A customer's consents, newest first, each settled. */
export async function listConsentsForCustomer(deps: ConsentDeps, customerId: string) {
  const ids: string[] = [];
  for (let n = 1; ; n += 20) {
    const slots = await findManyById(
      Array.from({ length: 20 }, (_, i) => `${customerId}#${n + i}`),
      (id) => CustomerConsentModel.findById(id).lean(),
    );
    ids.push(...slots.map((s) => s.consentId));
    if (slots.length < 20) break;
  }
  const consents = await Promise.all(ids.map((id) => settledConsent(deps, id)));
  return consents
    .filter((c) => c !== undefined)
    .sort((a, b) => b.creationDateTime.getTime() - a.creationDateTime.getTime());
}

const auditActionFor: Record<ConsentStatus, AuditInput['action'] | undefined> = {
  AUTH: 'consent.authorised',
  RJCT: 'consent.rejected',
  CANC: 'consent.revoked',
  EXPD: 'consent.expired',
  AWAU: undefined,
};

/**
 * A status change: claimed, then recorded in the audit log (the change counts only once
 * recorded), then, when the consent ends, announced to the app.
 */
async function move(
  deps: ConsentDeps,
  consent: ConsentRecord,
  to: ConsentStatus,
  reason: StatusReason,
  actor: Actor,
  context?: RequestContext,
  set: TransitionSet = {},
) {
  const moved = await transition(consent, to, reason, actor, set, now(deps), (transitionId) =>
    deps.audit.record({
      action: auditActionFor[to]!,
      actor,
      outcome: 'success',
      reason: reason.StatusReasonDescription,
      customerId: set.customerId ?? consent.customerId ?? undefined,
      clientId: consent.clientId,
      consentId: consent._id,
      accountIds: set.accountIds ?? consent.accountIds ?? undefined,
      permissions: consent.permissions,
      context,
      details: { from: consent.status, to, transition: transitionId },
    }),
  );
  if (to === 'CANC') await deps.notifier.consentEnded(moved, 'revoked');
  if (to === 'EXPD') await deps.notifier.consentEnded(moved, 'expired');
  return moved;
}

async function claimOwnership(customerId: string, consentId: string) {
  if (await claim(ConsentOwnerModel as never, { _id: consentId, customerId, at: new Date() })) {
    await addToCustomer(customerId, consentId);
    return;
  }
  const owner = await ConsentOwnerModel.findById(consentId).lean();
  if (owner?.customerId !== customerId)
    throw new ForbiddenError('This consent request belongs to someone else');
}

/**
 * Claims the customer's next free consent slot. Slots fill from 1 without gaps. A hint
 * document remembers the highest slot known to be filled (it may lag, never lead, since
 * it is raised only after a claim); the search gallops forward from it and halves back,
 * so a new consent costs a few reads by `_id` however many the customer has.
 */
async function addToCustomer(customerId: string, consentId: string) {
  const slots = CustomerConsentModel.collection;
  const hintId = `${customerId}#filled`;
  const slot = (n: number) => slots.findOne({ _id: `${customerId}#${n}` as never });
  const hint = await slots.findOne({ _id: hintId as never });
  let taken = Number(hint?.filled ?? 0); // every slot up to here is filled
  let free = taken + 1;
  for (let step = 2; await slot(free); step *= 2) {
    taken = free;
    free = taken + step;
  }
  while (free - taken > 1) {
    const middle = Math.floor((taken + free) / 2);
    if (await slot(middle)) taken = middle;
    else free = middle;
  }
  // Another writer may take `free` first: move on, checking the slot is not already ours.
  for (let n = free; n < free + 10_000; n++) {
    if (await claim(CustomerConsentModel as never, { _id: `${customerId}#${n}`, consentId })) {
      await raiseHint(hintId, n);
      return;
    }
    if ((await slot(n))?.consentId === consentId) return;
  }
}

async function raiseHint(hintId: string, filled: number) {
  try {
    await CustomerConsentModel.collection.updateOne(
      { _id: hintId as never },
      { $max: { filled } },
      { upsert: true },
    );
  } catch (error) {
    // Two first consents at once: the other writer created the hint; it is only a hint.
    if (!isDuplicateKey(error)) throw error;
  }
}

/** The bank ends a consent (for example when an app is struck off): authorised ones are cancelled, pending ones rejected. */
export async function endConsentByBank(
  deps: ConsentDeps,
  consentId: string,
  operatorId: string,
  context?: RequestContext,
) {
  const consent = await settledConsent(deps, consentId, context);
  if (!consent) return undefined;
  const actor: Actor = { type: 'staff', id: operatorId };
  if (consent.status === 'AUTH')
    return move(deps, consent, 'CANC', statusReasons.revokedByBank, actor, context);
  if (consent.status === 'AWAU')
    return move(deps, consent, 'RJCT', statusReasons.revokedByBank, actor, context);
  return consent;
}

/**
 * The authorisation server revoked a grant itself (a code or refresh token presented twice,
 * or the app revoking its refresh token): the consent it carried ends with it, through the
 * same transition, audit event and notice to the app as any other ending.
 */
export async function endConsentOfRevokedGrant(deps: ConsentDeps, grantId: string) {
  const consentId = await consentIdOfGrant(grantId);
  const consent = consentId ? await settledConsent(deps, consentId) : undefined;
  if (consent?.status !== 'AUTH' || consent.grantId !== grantId) return consent;
  const actor: Actor = { type: 'system', id: 'authorisation-server' };
  try {
    return await move(deps, consent, 'CANC', statusReasons.grantRevoked, actor);
  } catch (error) {
    // Ended at the same moment by someone else (the customer, the app): it has ended either way.
    if (error instanceof ConflictError) return settledConsent(deps, consent._id);
    throw error;
  }
}

/** An app's consents that are still live (pending or authorised), each settled. A scan: used by rare admin actions only. */
export async function liveConsentsOfApp(deps: ConsentDeps, clientId: string) {
  const ids = (await ConsentModel.find({ clientId }, { _id: 1 }).lean()).map((c) => c._id);
  const settled = await Promise.all(ids.map((id) => settledConsent(deps, id)));
  return settled.filter(
    (c): c is ConsentRecord => c !== undefined && (c.status === 'AUTH' || c.status === 'AWAU'),
  );
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
  const consent = await settledConsent(deps, consentId, context);
  if (!consent || consent.customerId !== customerId) throw new NotFoundError('You have no such consent');
  const remaining = (consent.accountIds ?? []).filter((id) => id !== accountId);
  if (remaining.length === (consent.accountIds ?? []).length)
    throw new NotFoundError('That account is not shared under this consent');
  if (remaining.length === 0) {
    throw new ConflictError(
      'This is the last account shared with the app: revoke access instead',
      'last_account',
    );
  }
  const actor: Actor = { type: 'customer', id: customerId };
  return transition(
    consent,
    'AUTH',
    statusReasons.accountRemoved,
    actor,
    { accountIds: remaining },
    now(deps),
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
    'amend',
  );
}
