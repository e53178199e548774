import { createHash } from 'node:crypto';
import { claim, findManyById } from '../db/primary-key.js';
import type { Logger } from '../logger.js';
import { AuditEventModel } from './audit-event.model.js';
import { contentHash, eventId, macFor, type AuditEvent } from './audit-event.js';
import { AuditEventBlockModel, AuditIndexStateModel } from './audit-index.model.js';

/**
 * Sealed blocks: the log's events again, 500 to a document, as one JSON text with a MAC
 * over it, so that an export reads 500 events per lookup instead of one (the
 * embedded database turns a stored document back into BSON field by field, and one long
 * string is the cheapest thing it returns). The events stay where they are, one document
 * each: pages, searches and the verifier read them there, and a block is only ever a copy
 * of events that were checked (hash, MAC and chain) when it was written. A block that is
 * missing or whose MAC does not match is read around, event by event.
 */
export const blockSize = 500;

const blockOf = (seq: number) => Math.floor((seq - 1) / blockSize);
const blockId = (n: number) => String(n).padStart(10, '0');
const blockMac = (macKey: Buffer, text: string) =>
  macFor(macKey, createHash('sha256').update(text).digest('hex'));

/** Events kept from indexing at most; beyond that, blocks are far behind and are written from the database. */
const maxRemembered = 50_000;

/** Blocks to write per pass from events read back (catching up on an older log), so a pass stays short. */
const blocksReadBackPerPass = 4;

/**
 * Writes the blocks behind the indexer, which hands it the events it has just indexed so
 * they are not read twice. One process at a time (the indexer's lease).
 */
export class AuditBlockWriter {
  private recent: AuditEvent[] = [];
  private reported: number | undefined;

  constructor(private readonly options: { macKey: Buffer; logger: Logger }) {}

  /** Events just indexed, in order: the next blocks are written from them. */
  remember(events: readonly AuditEvent[]) {
    if (events.length === 0) return;
    if (this.recent.at(-1)?.seq !== events[0]!.seq - 1) this.recent = [];
    for (const event of events) this.recent.push(event);
  }

  /** Another process may write blocks meanwhile (the lease changed hands): start from what is stored. */
  forget() {
    this.recent = [];
  }

  /** Writes every whole block of events up to `through`. Returns the number of blocks written. */
  async writeThrough(through: number): Promise<number> {
    const state = await AuditIndexStateModel.findById('blocks').lean();
    let done = state?.blockedThrough ?? 0;
    let lastHash = state?.lastHash ?? undefined;
    let written = 0;
    let readBack = 0;
    while (done + blockSize <= through) {
      let events = this.take(done + 1);
      const fromMemory = events !== undefined;
      if (!events) {
        if (readBack++ >= blocksReadBackPerPass) break;
        events = await fetchContiguous(done + 1, blockSize);
      }
      const problem =
        events.length < blockSize
          ? done + events.length + 1
          : firstUnsound(events, lastHash, this.options.macKey);
      if (problem !== undefined && fromMemory) {
        // What was read earlier may have been put right since: read it again.
        this.recent = [];
        continue;
      }
      if (problem !== undefined) {
        // Never copy what does not check out; the verifier names the event. Said once, not every pass.
        if (this.reported !== problem)
          this.options.logger.error(
            { seq: problem },
            'audit event does not verify: sealed blocks stop before it',
          );
        this.reported = problem;
        break;
      }
      const text = JSON.stringify(events);
      const n = blockOf(done + 1);
      await claim(AuditEventBlockModel, {
        _id: blockId(n),
        events: text,
        mac: blockMac(this.options.macKey, text),
      });
      done += blockSize;
      lastHash = events.at(-1)!.hash;
      written += 1;
      await AuditIndexStateModel.updateOne(
        { _id: 'blocks' },
        { $set: { blockedThrough: done, lastHash, updatedAt: new Date() } },
        { upsert: true },
      );
    }
    this.recent = this.recent.filter((event) => event.seq > done);
    // Far behind (blocks of an older log still to write from the database): keep memory bounded.
    if (this.recent.length > maxRemembered) this.recent = [];
    return written;
  }

  /** The block's events from memory, when every one of them is there. */
  private take(first: number): AuditEvent[] | undefined {
    const offset = first - (this.recent[0]?.seq ?? Number.NaN);
    if (!(offset >= 0) || this.recent.length < offset + blockSize) return undefined;
    return this.recent.slice(offset, offset + blockSize);
  }
}

/** The first event of a run that is not what the audit service wrote, chained to `prevHash`. */
function firstUnsound(events: AuditEvent[], prevHash: string | undefined, macKey: Buffer) {
  let previous = prevHash;
  for (const event of events) {
    const record = event as unknown as Record<string, unknown>;
    if (
      contentHash(record) !== event.hash ||
      event.mac !== macFor(macKey, event.hash) ||
      (previous !== undefined && event.prevHash !== previous)
    )
      return event.seq;
    previous = event.hash;
  }
  return undefined;
}

/** Blocks read ahead at once while streaming. */
const readAhead = 4;

/**
 * Every stored event from `low` to `high`, in sequence order: whole blocks where they are
 * sealed and sound, single events elsewhere (the newest events, not yet in a block, and any
 * block that is missing or does not match its MAC).
 */
export async function* eventsInSequence(
  low: number,
  high: number,
  macKey: Buffer,
): AsyncGenerator<AuditEvent> {
  const lastBlock = blockOf(high);
  const readGroup = (n: number) => {
    const numbers = Array.from({ length: Math.min(readAhead, lastBlock - n + 1) }, (_, i) => n + i);
    return Promise.all(
      numbers.map(async (b) => ({ n: b, block: await AuditEventBlockModel.findById(blockId(b)).lean() })),
    );
  };
  // The next group is read while this one is written out.
  let reading = readGroup(blockOf(low));
  for (let n = blockOf(low); n <= lastBlock; n += readAhead) {
    const group = await reading;
    if (n + readAhead <= lastBlock) reading = readGroup(n + readAhead);
    for (const { n: b, block } of group) {
      const first = Math.max(low, b * blockSize + 1);
      const last = Math.min(high, (b + 1) * blockSize);
      const sealed = block?.events && block.mac === blockMac(macKey, block.events) ? block.events : undefined;
      const events = sealed ? eventsOfBlock(sealed) : await eventsOneByOne(first, last);
      for (const event of events) if (event.seq >= first && event.seq <= last) yield event;
    }
  }
}

function eventsOfBlock(text: string): AuditEvent[] {
  const events = JSON.parse(text) as (Omit<AuditEvent, 'at'> & { at: string | Date })[];
  for (const event of events) event.at = new Date(event.at);
  return events as AuditEvent[];
}

/** The stored events numbered `from` to `from + count - 1` (missing ones skipped), one lookup each. */
async function eventsNumbered(from: number, count: number): Promise<AuditEvent[]> {
  const ids = Array.from({ length: count }, (_, i) => eventId(from + i));
  return (await findManyById(ids, (id) => AuditEventModel.findById(id).lean())) as unknown as AuditEvent[];
}

async function eventsOneByOne(first: number, last: number): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  // A few dozen lookups at a time, leaving the connection pool to the requests being served.
  for (let from = first; from <= last; from += 50)
    events.push(...(await eventsNumbered(from, Math.min(50, last - from + 1))));
  return events;
}

/** Events from `from` onwards, stopping at the first sequence number not yet written. */
export async function fetchContiguous(from: number, count: number): Promise<AuditEvent[]> {
  const found: AuditEvent[] = [];
  const window = 200;
  for (let i = 0; i < count; i += window) {
    const chunk = await eventsNumbered(from + i, Math.min(window, count - i));
    for (const event of chunk) {
      if (event.seq !== from + found.length) return found;
      found.push(event);
    }
    if (chunk.length < window) return found;
  }
  return found;
}
