import { AuditEventModel } from './audit-event.model.js';
import { eventId, type AuditEvent } from './audit-event.js';

/**
 * Every stored event with a sequence number from `low` to `high`, in sequence order, read
 * with one query rather than one lookup per event: what exports read when they take most of
 * the log. On MongoDB the `_id` range is an index scan in order. The embedded database reads
 * the whole collection for it (docs/storage.md, fact 1), in storage order, which is the order
 * events were inserted and so nearly sequence order, at some 50 times the speed of lookups by
 * key; a small reorder buffer puts it right, and a number the scan does not bring (a gap, an
 * event stored after the scan passed) is looked up by key before it is skipped.
 */
export async function* eventsInSequence(
  low: number,
  high: number,
  // How far storage order may run ahead of sequence order before the missing event is looked up.
  { maxOutOfOrder = 10_000 } = {},
): AsyncGenerator<AuditEvent> {
  const pending = new Map<number, AuditEvent>();
  let next = low;
  const ready = function* () {
    for (let event = pending.get(next); event; event = pending.get(next)) {
      pending.delete(next);
      next += 1;
      yield event;
    }
  };
  const lookUpNext = async () => {
    const stored = (await AuditEventModel.findById(eventId(next)).lean()) as unknown as AuditEvent | null;
    if (stored) pending.set(next, stored);
    else next += 1;
  };

  const cursor = AuditEventModel.find({ _id: { $gte: eventId(low), $lte: eventId(high) } })
    .lean()
    .cursor({ batchSize: 1000 });
  for await (const doc of cursor as AsyncIterable<AuditEvent & { _id: unknown }>) {
    // A document whose id is not its sequence number is not part of the log (the verifier names it).
    if (doc._id !== eventId(doc.seq) || doc.seq < next) continue;
    pending.set(doc.seq, doc);
    yield* ready();
    while (pending.size > maxOutOfOrder) {
      await lookUpNext();
      yield* ready();
    }
  }
  while (next <= high) {
    if (!pending.has(next)) await lookUpNext();
    yield* ready();
  }
}
