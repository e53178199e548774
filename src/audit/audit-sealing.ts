import type { Document, OptionalId } from 'mongodb';
import type { Logger } from '../logger.js';
import { findManyById, isDuplicateKey } from '../db/primary-key.js';
import { findChainHead, type ChainHead } from './audit-chain-head.js';
import { AuditEventModel } from './audit-event.model.js';
import { eventId, sealEvent, sealedEvent, type AuditEvent, type AuditInput } from './audit-event.js';
import type { Receipt, SealPass, StagedBatch } from './audit-staging.repository.js';

/**
 * Chains `inputs` after `head` and inserts them in order at the next sequence numbers.
 * If another writer took those numbers first (duplicate `_id`; with the writer's lease
 * that happens only while the lease changes hands), the part written stands, the head is
 * looked up again and the rest is re-chained after it: no gaps, and no event is
 * acknowledged before it is stored. Tries again as long as it is only losing races.
 */
export async function appendInOrder(
  inputs: AuditInput[],
  at: Date,
  head: ChainHead,
  macKey: Buffer,
  logger: Logger,
): Promise<{ events: AuditEvent[]; head: ChainHead }> {
  const events: AuditEvent[] = [];
  let remaining = inputs;
  for (let attempt = 0; remaining.length > 0; attempt++) {
    // Back off a little, at random, so two writers that collided do not collide again.
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    const chained = chain(remaining, head, at, macKey);
    const written = await insertInOrder(chained, logger);
    events.push(...chained.slice(0, written));
    if (written > 0) head = { seq: chained[written - 1]!.seq, hash: chained[written - 1]!.hash };
    remaining = remaining.slice(written);
    // Lost a race: the numbers were taken by another writer, whose events lie just ahead.
    if (remaining.length > 0) head = await findChainHead(head);
  }
  return { events, head };
}

function chain(inputs: AuditInput[], head: ChainHead, at: Date, macKey: Buffer): AuditEvent[] {
  let prev = head;
  return inputs.map((input) => {
    const event = sealEvent(input, prev.seq + 1, at, prev.hash, macKey);
    prev = { seq: event.seq, hash: event.hash };
    return event;
  });
}

/** Inserts in order and returns how many were written before a sequence number was found taken. */
async function insertInOrder(events: AuditEvent[], logger: Logger): Promise<number> {
  try {
    // The driver types `_id` as an ObjectId; an event's `_id` is its sequence number.
    await AuditEventModel.collection.insertMany(events as unknown as OptionalId<Document>[], {
      ordered: true,
    });
    return events.length;
  } catch (error) {
    if (!isDuplicateKey(error) && !hasOnlyDuplicateKeyErrors(error)) throw error;
    const inserted = (error as { insertedCount?: number }).insertedCount;
    logger.debug({ inserted }, 'audit sequence number taken by another writer; re-chaining');
    return inserted ?? 0;
  }
}

function hasOnlyDuplicateKeyErrors(error: unknown): boolean {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.length > 0 && list.every((e: { code?: number }) => e.code === 11000);
}

/** How far past its mark a batch's events are looked for. */
const searchLimit = 50_000;

/**
 * The events of a staged batch that passes took and did not finish, found in the chain
 * after the first pass's head (stamped with one of the passes' times, in the batch's
 * order): the whole batch, a prefix (an ordered insert cut short), or none.
 */
export async function sealedEventsOf(
  batch: StagedBatch,
  passes: Pick<SealPass, 'at' | 'afterSeq'>[],
  headSeq: number,
): Promise<AuditEvent[]> {
  const afterSeq = Math.min(...passes.map((p) => p.afterSeq));
  const times = passes.map((p) => new Date(p.at).getTime());
  const found: AuditEvent[] = [];
  const last = Math.min(headSeq, afterSeq + searchLimit);
  for (let from = afterSeq + 1; from <= last && found.length < batch.inputs.length; from += 100) {
    const ids = Array.from({ length: Math.min(100, last - from + 1) }, (_, k) => eventId(from + k));
    const events = (await findManyById(ids, (id) => AuditEventModel.findById(id).lean())) as AuditEvent[];
    for (const event of events) {
      if (found.length < batch.inputs.length && isEventOf(event, batch.inputs[found.length]!, times))
        found.push(event);
    }
  }
  return found;
}

function isEventOf(event: AuditEvent, input: AuditInput, times: number[]): boolean {
  return (
    times.includes(event.at.getTime()) &&
    event.action === input.action &&
    event.actor.type === input.actor.type &&
    event.actor.id === input.actor.id &&
    event.requestId === input.context?.requestId &&
    event.consentId === input.consentId &&
    event.customerId === input.customerId &&
    event.clientId === input.clientId
  );
}

/** A staged batch's events as they stand in the chain, from the holder's receipt. */
export function eventsAt(
  entries: { input: AuditInput }[],
  receipt: Pick<Receipt, 'events'>,
  macKey: Buffer,
): AuditEvent[] {
  return entries.map(({ input }, k) => sealedEvent(input, receipt.events[k]!, macKey));
}
