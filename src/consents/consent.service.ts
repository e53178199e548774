import { randomUUID } from 'node:crypto';
import type { AuditInput } from '../audit/audit-event.js';
import type { RequestContext } from '../http/request-context.js';
import type { AuditLog } from '../audit/audit-log.js';
import { NotFoundError } from '../errors.js';
import {
  defaultRules,
  effectiveExpiry,
  lapse,
  statusReasons,
  type ConsentStatus,
  type Permission,
  type StatusReason,
} from './consent.js';
import type { ConsentRecord } from './consent.model.js';
import type { Logger } from '../logger.js';
import {
  recordFollowUp,
  type AccountWithdrawnFollowUp,
  type FollowUp,
} from '../outbox/follow-up.repository.js';
import { carryOutFollowUp } from '../outbox/follow-ups.js';
import { scheduleLapseCheck } from './lapse-schedule.repository.js';
import {
  compareAndSetStatus,
  ConsentStateConflict,
  insertConsent,
  readConsent,
  type StatusChange,
} from './consent.repository.js';

/**
 * What a consent's ending owes (its grant destroyed, its app told: consent-endings.ts), and
 * what an account its holders took off a connection owes (its app told), carried out through
 * the outbox. `followUpId` names the follow-up, so doing it twice is harmless.
 */
export interface ConsentNotifier {
  consentEnded(consent: ConsentRecord, event: 'revoked' | 'expired', followUpId: string): Promise<void>;
  accountWithdrawn(withdrawal: AccountWithdrawal, followUpId: string): Promise<void>;
}

/** An account that left a connection (the rest stay authorised), and why. */
export type AccountWithdrawal = Omit<AccountWithdrawnFollowUp, '_id' | 'kind' | 'changeId'>;

export interface ConsentDeps {
  audit: AuditLog;
  notifier: ConsentNotifier;
  /** Where a follow-up that failed is reported (it stays owed, and is tried again). */
  logger?: Pick<Logger, 'warn'>;
  maxDays: number;
  now?: () => Date;
}

export interface ConsentRequest {
  Permissions: Permission[];
  ExpirationDateTime?: Date;
  TransactionFromDateTime?: Date;
  TransactionToDateTime?: Date;
}

export type Actor = AuditInput['actor'];

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
  // Looked at again when its authorisation window closes, whoever reads it or not. First,
  // so a failure here leaves nothing behind (a schedule for a consent that never came to be
  // is passed over).
  await scheduleLapseCheck(consent._id, new Date(at.getTime() + defaultRules.authorisationWindowMs + 1000));
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
  await insertConsent(consent);
  return consent;
}

/** The consent as time has left it at `at`: a lapse not yet recorded is shown, not recorded. Pure. */
export function consentAsOf(consent: ConsentRecord, at: Date): ConsentRecord {
  const due = lapse(
    {
      status: consent.status as ConsentStatus,
      creationDateTime: consent.creationDateTime,
      expirationDateTime: consent.expirationDateTime,
    },
    at,
  );
  if (!due) return consent;
  // When time ended it: the end of its authorisation window, or its expiry.
  const endedAt =
    due.to === 'EXPD'
      ? consent.expirationDateTime
      : new Date(consent.creationDateTime.getTime() + defaultRules.authorisationWindowMs);
  return { ...consent, status: due.to, statusReason: due.reason, statusUpdateDateTime: endedAt };
}

/**
 * Reads a consent as it stands now, without changing anything: what time has forced on
 * it (an authorisation that waited too long, an expiry) is shown, and recorded by
 * `settledConsent` or by the lapse sweeper within seconds.
 */
export async function currentConsent(
  deps: ConsentDeps,
  consentId: string,
): Promise<ConsentRecord | undefined> {
  const consent = await readConsent(consentId, now(deps));
  return consent && consentAsOf(consent, now(deps));
}

/**
 * The explicit step that records what time has forced on a consent (rejected after
 * waiting too long, expired), audited and announced, for callers about to act on it.
 */
export async function settledConsent(deps: ConsentDeps, consentId: string, context?: RequestContext) {
  const consent = await readConsent(consentId, now(deps));
  if (!consent) return undefined;
  const due = consentAsOf(consent, now(deps));
  if (due === consent) return consent;
  try {
    return await move(deps, {
      consent,
      to: due.status as ConsentStatus,
      reason: due.statusReason as StatusReason,
      actor: { type: 'system', id: 'consent-lifecycle' },
      context,
    });
  } catch (error) {
    // Anything but a lost race (e.g. the audit log is down) fails the caller: never serve a lapsed consent.
    if (!(error instanceof ConsentStateConflict)) throw error;
    // Another request is recording the same lapse; until it lands, time has still ended this consent.
    return currentConsent(deps, consentId);
  }
}

/** A consent's status as of `at`, read without changing anything (the authorisation server's check). */
export async function consentStatusAt(consentId: string, at: Date): Promise<ConsentStatus | undefined> {
  const consent = await readConsent(consentId, at);
  return consent ? (consentAsOf(consent, at).status as ConsentStatus) : undefined;
}

/** A consent as its app sees it, read without changing anything: another app's consent does not exist (404). */
export async function getConsentForApp(deps: ConsentDeps, clientId: string, consentId: string) {
  return ownedByApp(await currentConsent(deps, consentId), clientId);
}

function ownedByApp(consent: ConsentRecord | undefined, clientId: string): ConsentRecord {
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
  const consent = ownedByApp(await settledConsent(deps, consentId, context), clientId);
  return withdraw(deps, consent, statusReasons.revokedByApp, { type: 'app', id: clientId }, context);
}

/** Ends a consent that is still live: an authorised one is cancelled, a pending one rejected; an ended one stays as it is. */
export async function withdraw(
  deps: ConsentDeps,
  consent: ConsentRecord,
  reason: StatusReason,
  actor: Actor,
  context?: RequestContext,
): Promise<ConsentRecord> {
  if (consent.status === 'AUTH') return move(deps, { consent, to: 'CANC', reason, actor, context });
  if (consent.status === 'AWAU') return move(deps, { consent, to: 'RJCT', reason, actor, context });
  return consent;
}

const auditActionFor: Record<ConsentStatus, AuditInput['action'] | undefined> = {
  AUTH: 'consent.authorised',
  RJCT: 'consent.rejected',
  CANC: 'consent.revoked',
  EXPD: 'consent.expired',
  AWAU: undefined,
};

/** A change asked of the consent service: a StatusChange, and the request it came with. */
export type Move = Omit<StatusChange, 'at'> & { context?: RequestContext };

/**
 * A status change: claimed, then recorded in the audit log (the change counts only once
 * recorded). When the consent ends, what that owes is recorded in the outbox before the
 * audit event commits the change, and carried out straight after: its failure, or the
 * process dying in between, leaves it owed for the worker, never reported as the change's.
 */
export async function move(deps: ConsentDeps, change: Move): Promise<ConsentRecord> {
  const { consent, to, reason, actor, context, set = {} } = change;
  const ending = to === 'CANC' ? 'revoked' : to === 'EXPD' ? 'expired' : undefined;
  let followUp: FollowUp | undefined;
  const moved = await compareAndSetStatus({ ...change, at: now(deps) }, async (transitionId) => {
    if (ending) {
      followUp = {
        _id: `${transitionId}#ended`,
        kind: 'consent-ended',
        changeId: transitionId,
        consentId: consent._id,
        event: ending,
        createdAt: now(deps),
      };
      await recordFollowUp(followUp);
    }
    return deps.audit.record({
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
    });
  });
  if (followUp) await carryOutFollowUp(deps, followUp);
  return moved;
}
