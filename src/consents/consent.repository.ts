import type { ActorType } from '../audit/audit-event.js';
import { auditEventNaming } from '../audit/audit-query.repository.js';
import { decidedChanges } from '../db/decided-change.js';
import { claim } from '../db/primary-key.js';
import { ConflictError } from '../errors.js';
import { canMove, type ConsentStatus, type StatusReason } from './consent.js';
import {
  ConsentModel,
  ConsentTransitionModel,
  type ConsentRecord,
  type ConsentTransitionRecord,
} from './consent.model.js';

/**
 * Where consents are kept, and how a status change gets exactly one winner on an engine
 * that does not isolate updates (docs/storage.md, "consents"):
 *
 * - A change is claimed by inserting transition `<ConsentId>#<version + 1>`: one writer can.
 * - It counts only once its audit event is written; the outcome (`audited` or `abandoned`)
 *   is decided once, by inserting `<transition>#outcome`.
 * - Then it is applied to the consent document, whose only writer is the change's winner.
 *
 * A reader folds in any decided change not yet applied (its writer crashed or is still
 * writing), so every process sees the latest decided status, and rolls the document
 * forward; a change claimed long ago and never decided is settled by its audit event.
 */

export class ConsentStateConflict extends ConflictError {
  constructor(
    readonly current: ConsentStatus,
    inFlight = false,
  ) {
    super(
      inFlight
        ? `Another decision on this consent (${current}) is being recorded; it cannot be changed twice at once`
        : `The consent is ${current} and can no longer be changed that way`,
      'consent_state_conflict',
    );
  }
}

/** Fields a change may set on the consent besides its status. */
export type TransitionSet = Partial<
  Pick<ConsentRecord, 'customerId' | 'accountIds' | 'accountsWithOtherHolders' | 'grantId' | 'authorisedAt'>
>;

/** A status change, as asked for: from `consent` as read, to `to`. */
export interface StatusChange {
  consent: ConsentRecord;
  to: ConsentStatus;
  reason: StatusReason;
  actor: { type: ActorType; id?: string };
  at: Date;
  set?: TransitionSet;
  /** An amendment keeps an authorised consent authorised and changes what it covers. */
  kind?: 'move' | 'amend';
}

const transitionId = (consentId: string, version: number) => `${consentId}#${version}`;
// A transition is a decided change (db/decided-change.ts), its audit event found among its consent's.
const transitions = decidedChanges<ConsentTransitionRecord>(ConsentTransitionModel, {
  field: 'state',
  auditEventOf: (change) => auditEventNaming({ consentId: change.consentId }, 'transition', change._id),
});

export async function insertConsent(consent: ConsentRecord): Promise<void> {
  if (!(await claim(ConsentModel, consent))) throw new Error(`ConsentId ${consent._id} is already taken`);
}

/** A consent with every decided change applied. */
export async function readConsent(consentId: string, now = new Date()): Promise<ConsentRecord | undefined> {
  let consent = (await ConsentModel.findById(consentId).lean()) as ConsentRecord | null;
  if (!consent) return undefined;
  for (;;) {
    const next = (await ConsentTransitionModel.findById(
      transitionId(consentId, consent.version + 1),
    ).lean()) as ConsentTransitionRecord | null;
    if (!next) return consent;
    const outcome = await transitions.outcomeOfStored(next, now);
    if (outcome === 'undecided') return consent;
    consent =
      outcome === 'audited'
        ? applied(
            consent,
            next.to as ConsentStatus,
            next.reason as StatusReason,
            next.at,
            next.version,
            next.set ?? {},
          )
        : { ...consent, version: next.version };
    await writeApplied(consent);
  }
}

/**
 * Changes a consent's status if the rules allow and nobody else is changing it (a loser
 * gets a 409 naming the status). The change counts only once `recordDecision` has written
 * its audit event; if that fails, the change is abandoned and the error rethrown, so no
 * status changes without its audit record.
 */
export async function compareAndSetStatus(
  change: StatusChange,
  recordDecision: (transitionId: string) => Promise<{ seq: number }>,
): Promise<ConsentRecord> {
  const { consent, to, reason, actor, at, set = {}, kind = 'move' } = change;
  const allowed =
    kind === 'amend'
      ? consent.status === 'AUTH' && to === 'AUTH'
      : canMove(consent.status as ConsentStatus, to);
  if (!allowed) throw new ConsentStateConflict(consent.status as ConsentStatus);
  const version = consent.version + 1;
  const id = transitionId(consent._id, version);
  const won = await claim(ConsentTransitionModel, {
    _id: id,
    consentId: consent._id,
    version,
    from: consent.status,
    to,
    reason,
    at,
    actor,
    set,
    state: 'claimed',
  });
  if (!won) {
    const current = await readConsent(consent._id, at);
    const status = (current?.status ?? consent.status) as ConsentStatus;
    throw new ConsentStateConflict(status, status === consent.status);
  }
  // A reader may have given this change up for dead while the audit write was slow; the
  // outcome is decided once, by insert, and only an `audited` outcome is applied.
  if ((await transitions.commit(id, recordDecision)) !== 'audited') {
    throw new ConsentStateConflict(consent.status as ConsentStatus);
  }
  const next = applied(consent, to, reason, at, version, set);
  await writeApplied(next);
  return next;
}

/** The consent's changes, oldest first (the status history shown on receipts and pages). */
export async function consentHistory(consentId: string, version: number) {
  const ids = Array.from({ length: version }, (_, i) => transitionId(consentId, i + 1));
  const found = await Promise.all(ids.map((id) => ConsentTransitionModel.findById(id).lean()));
  return found.filter((t): t is NonNullable<typeof t> => t !== null && t.state === 'audited');
}

/** Ids of the consents requested in [from, to). A scan of every consent: for reports only. */
export async function consentIdsRequestedBetween(from: Date, to: Date): Promise<string[]> {
  const found = await ConsentModel.find({ creationDateTime: { $gte: from, $lt: to } }, { _id: 1 }).lean();
  return found.map((c) => c._id);
}

/** An app's consent ids. A scan of every consent: for rare admin actions only. */
export async function consentIdsOfApp(clientId: string): Promise<string[]> {
  return (await ConsentModel.find({ clientId }, { _id: 1 }).lean()).map((c) => c._id);
}

function applied(
  consent: ConsentRecord,
  status: ConsentStatus,
  reason: StatusReason,
  at: Date,
  version: number,
  set: TransitionSet,
): ConsentRecord {
  return { ...consent, ...set, status, statusReason: reason, statusUpdateDateTime: at, version };
}

async function writeApplied(consent: ConsentRecord) {
  const { _id, ...fields } = consent;
  await ConsentModel.updateOne({ _id }, { $set: fields });
}

/**
 * Whether a change took effect: `audited` (it did), `abandoned` (it did not), or
 * `undecided` while its writer may still be recording it. A change left undecided by a
 * writer that died is settled here, from the audit log, as a reader would.
 */
export function changeOutcome(id: string, now = new Date()) {
  return transitions.outcomeOf(id, now);
}
