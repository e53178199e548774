import { AuditEventModel } from './audit-event.model.js';
import { eventId, genesisHash } from './audit-event.js';

export interface ChainHead {
  seq: number;
  hash: string;
}

const exists = async (seq: number) => (await AuditEventModel.exists({ _id: eventId(seq) })) !== null;

/**
 * Finds the last event of the chain by primary-key probes: exponential steps forward from
 * a known event, then binary search. O(log n) lookups, no scan and no sort, on any engine.
 */
export async function findChainHead(from: ChainHead = { seq: 0, hash: genesisHash }): Promise<ChainHead> {
  let known = from.seq;
  let step = 1;
  let missing = known + step;
  while (await exists(missing)) {
    known = missing;
    step *= 2;
    missing = known + step;
  }
  while (missing - known > 1) {
    const middle = Math.floor((known + missing) / 2);
    if (await exists(middle)) known = middle;
    else missing = middle;
  }
  if (known === from.seq) return from;
  const head = await AuditEventModel.findById(eventId(known), { hash: 1 }).lean();
  if (!head) return findChainHead(from);
  return { seq: known, hash: head.hash };
}
