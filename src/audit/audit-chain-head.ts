import { endOfRun } from '../db/primary-key.js';
import { AuditEventModel } from './audit-event.model.js';
import { eventId, genesisHash } from './audit-event.js';

export interface ChainHead {
  seq: number;
  hash: string;
}

const exists = async (seq: number) => (await AuditEventModel.exists({ _id: eventId(seq) })) !== null;

/** How far past a missing event the search looks for later ones (about a million events). */
const lookBeyondSteps = 20;

/**
 * Finds the last event of the chain by primary-key probes: exponential steps forward from
 * a known event, then binary search. O(log n) lookups, no scan and no sort, on any engine.
 *
 * A missing event with later ones after it is a gap: evidence that an event was removed.
 * Writers pass `pastGaps`, so the head they write after is never placed before a gap and
 * they never fill one with an event of their own (which would move, or hide, what
 * verification reports): past each candidate head the search probes further ahead (+1,
 * +2, +4, ... events, about 20 more lookups) and, finding a later event, goes on from
 * there, telling `pastGaps` the first missing number of each gap it passed. A writer does
 * this whenever it does not know the head (at start, after a write whose outcome is
 * unknown); after losing a race it knows the events just ahead are another writer's.
 * Readers, which only need to know where to start reading, skip those lookups.
 */
export async function findChainHead(
  from: ChainHead = { seq: 0, hash: genesisHash },
  pastGaps?: (missingSeq: number) => void,
): Promise<ChainHead> {
  let known = await endOfRun(exists, from.seq);
  while (pastGaps) {
    const later = await laterEvent(known + 1);
    if (later === undefined) break;
    // Writers insert in order, so a later event means the missing one existed: unless it
    // has just appeared (another writer's batch landing meanwhile), it was removed.
    if (!(await exists(known + 1))) pastGaps(known + 1);
    known = await endOfRun(exists, later);
  }
  if (known === from.seq) return from;
  const head = await AuditEventModel.findById(eventId(known), { hash: 1 }).lean();
  if (!head) return findChainHead(from, pastGaps);
  return { seq: known, hash: head.hash };
}

/** An event after `missing` (which does not exist), probing +1, +2, +4, ... ahead; undefined when none is found. */
async function laterEvent(missing: number): Promise<number | undefined> {
  for (let step = 1, i = 0; i < lookBeyondSteps; i++, step *= 2) {
    if (await exists(missing + step)) return missing + step;
  }
  return undefined;
}
