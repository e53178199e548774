import { auditEventNaming } from '../audit/audit-query.repository.js';
import { decidedChanges } from '../db/decided-change.js';
import { claim, endOfRun } from '../db/primary-key.js';
import { initialSharing, type SharingState } from './sharing-state.js';
import { SharingHeadModel, SharingVersionModel } from './sharing.model.js';

/**
 * Where each account's sharing state is kept, with exactly one winner per change on an
 * engine that does not isolate updates (docs/storage.md, "sharing"): the same protocol as a
 * consent's status (consent.repository.ts). Every version holds the whole state, so the
 * latest decided one is the answer; a change claimed long ago and never decided is settled
 * by its audit event.
 */

export interface SharingVersion {
  accountId: string;
  version: number;
  state: SharingState;
  /** Another change is being recorded right now (a writer waits for it). */
  inFlight: boolean;
}

interface StoredVersion {
  _id: string;
  version: number;
  sharing: SharingState;
  at: Date;
  actorId: string;
  status: 'claimed' | 'audited' | 'abandoned';
}

const versionId = (accountId: string, version: number) => `${accountId}#${version}`;
// A version is a decided change (db/decided-change.ts), its audit event found among its author's.
const changes = decidedChanges<StoredVersion>(SharingVersionModel, {
  field: 'status',
  auditEventOf: (stored) =>
    auditEventNaming({ customerId: stored.actorId, from: stored.at }, 'sharingChange', stored._id),
});

export async function readSharing(accountId: string, now: Date): Promise<SharingVersion> {
  const hint = (await SharingHeadModel.findById(accountId).lean())?.version ?? 0;
  const last = await endOfRun(
    async (n) => (await SharingVersionModel.exists({ _id: versionId(accountId, n) })) !== null,
    hint,
  );
  let inFlight = false;
  for (let version = last; version > 0; version--) {
    const stored = (await SharingVersionModel.findById(
      versionId(accountId, version),
    ).lean()) as StoredVersion | null;
    if (!stored) continue;
    const outcome = await changes.outcomeOfStored(stored, now);
    if (outcome === 'undecided') {
      inFlight = true;
      continue;
    }
    // A writer builds on the latest version (decided or not), so its claim is the next number.
    if (outcome === 'audited') return { accountId, version: last, state: revive(stored.sharing), inFlight };
  }
  return { accountId, version: last, state: initialSharing, inFlight };
}

export function readSharings(accountIds: readonly string[], now: Date): Promise<SharingVersion[]> {
  return Promise.all(accountIds.map((id) => readSharing(id, now)));
}

/**
 * Stores `next` as the version after `from`, if nobody else has claimed it (resolves
 * false: read again and decide again). It counts once `recordDecision` has written its audit
 * event; if that fails, the change is abandoned and the error rethrown.
 */
export async function changeSharing(
  from: SharingVersion,
  next: SharingState,
  change: { at: Date; actorId: string },
  recordDecision: (changeId: string) => Promise<{ seq: number }>,
): Promise<boolean> {
  const version = from.version + 1;
  const id = versionId(from.accountId, version);
  const won = await claim(SharingVersionModel, {
    _id: id,
    accountId: from.accountId,
    version,
    // As JSON: no `undefined` members stored as nulls, and dates revived the same way on every engine.
    sharing: JSON.parse(JSON.stringify(next)) as SharingState,
    at: change.at,
    actorId: change.actorId,
    status: 'claimed',
  });
  if (!won) return false;
  if ((await changes.commit(id, recordDecision)) !== 'audited') return false;
  await SharingHeadModel.updateOne({ _id: from.accountId }, { $max: { version } }, { upsert: true });
  return true;
}

/**
 * Whether a change (a version's id) counts, for a follow-up it owes: `undecided` while its
 * writer may still be recording it, and settled from the audit log once that is stale.
 */
export function sharingChangeOutcome(changeId: string, now: Date) {
  return changes.outcomeOf(changeId, now);
}

/** Dates come back from the database as dates, but a state stored as JSON text would not; both are handled. */
function revive(sharing: SharingState): SharingState {
  return {
    ...initialSharing,
    ...sharing,
    connections: (sharing.connections ?? []).map((c) => ({
      ...c,
      at: new Date(c.at),
      ...(c.approveBy ? { approveBy: new Date(c.approveBy) } : {}),
      ...(c.endedAt ? { endedAt: new Date(c.endedAt) } : {}),
    })),
    ...(sharing.proposal ? { proposal: { ...sharing.proposal, at: new Date(sharing.proposal.at) } } : {}),
    ...(sharing.optionChanged
      ? { optionChanged: { ...sharing.optionChanged, at: new Date(sharing.optionChanged.at) } }
      : {}),
  };
}
