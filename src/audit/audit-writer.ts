import type { Document, OptionalId } from 'mongodb';
import type { Logger } from '../logger.js';
import { isDuplicateKey } from '../db/primary-key.js';
import { findChainHead, type ChainHead } from './audit-chain-head.js';
import { AuditEventModel } from './audit-event.model.js';
import { sealEvent, type AuditEvent, type AuditInput } from './audit-event.js';

interface Pending {
  input: AuditInput;
  resolve: (event: AuditEvent) => void;
  reject: (error: unknown) => void;
}

export interface AuditWriterOptions {
  macKey: Buffer;
  logger: Logger;
  now?: () => Date;
  maxBatch?: number;
}

/**
 * Appends events to the hash chain with group commit. Requests never wait on a lock:
 * while one batch is being written, new events queue, and the next batch carries them
 * all in one insert. Each event is chained to the one before it when the batch is
 * built, and the batch is inserted in order at the next free sequence numbers. If
 * another process took those numbers first (duplicate `_id`), the part of the batch
 * that was written stands, the head is looked up again and the rest is re-chained:
 * there are no gaps and no event is acknowledged before it is stored.
 *
 * A process killed mid-batch (SIGKILL, power loss) leaves no gap either: a sequence
 * number is taken only by inserting the event that carries it, never reserved ahead,
 * and a batch is one ordered insert (one SQLite transaction on the embedded database,
 * in order on MongoDB), so what it leaves is a chained prefix of its batch. Whichever
 * writer comes next finds that head and continues from it (tested by killing a server
 * under load, then verifying the chain after its replacement has written).
 */
export class AuditWriter {
  private queue: Pending[] = [];
  private flushing = false;
  private head: ChainHead | undefined;
  /** Set when a write failed in an unknown state: the head is at least `head`, maybe further. */
  private headUncertain = false;
  private readonly now: () => Date;
  private readonly maxBatch: number;

  constructor(private readonly options: AuditWriterOptions) {
    this.now = options.now ?? (() => new Date());
    this.maxBatch = options.maxBatch ?? 500;
  }

  append(input: AuditInput): Promise<AuditEvent> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Resolves once everything queued so far is written (or has failed). */
  async drain(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private async flush() {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.write(batch);
        } catch (error) {
          // Unknown state (the database may be down, the batch may be partly written): look
          // for the head again next time, forward from the last event known to be stored.
          // Searching from the start instead costs some 20 sequential lookups at a
          // million events, each queued behind the load that comes back with the database.
          this.headUncertain = true;
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(batch: Pending[]) {
    let remaining = batch;
    for (let attempt = 0; remaining.length > 0; attempt++) {
      if (attempt >= 50) throw new Error('audit log: could not claim sequence numbers after 50 attempts');
      if (!this.head || this.headUncertain) {
        this.head = await findChainHead(this.head, this.reportGap);
        this.headUncertain = false;
      }
      const events = this.chain(remaining, this.head);
      const written = await this.insertInOrder(events);
      for (let i = 0; i < written; i++) remaining[i]!.resolve(events[i]!);
      if (written > 0) this.head = { seq: events[written - 1]!.seq, hash: events[written - 1]!.hash };
      remaining = remaining.slice(written);
      // Lost a race: the numbers were taken by another writer, whose events lie just ahead.
      if (remaining.length > 0) this.head = await findChainHead(this.head);
    }
  }

  /** A removed event is evidence: it is left missing, written past, and said loudly. */
  private readonly reportGap = (missingSeq: number) =>
    this.options.logger.error(
      { missingSeq },
      'audit log: an event is missing while later events exist (removed?); it is left as found, and verification reports it',
    );

  private chain(batch: Pending[], head: ChainHead): AuditEvent[] {
    const at = this.now();
    let prev = head;
    return batch.map(({ input }) => {
      const event = sealEvent(input, prev.seq + 1, at, prev.hash, this.options.macKey);
      prev = { seq: event.seq, hash: event.hash };
      return event;
    });
  }

  /** Inserts in order and returns how many were written before a sequence number was found taken. */
  private async insertInOrder(events: AuditEvent[]): Promise<number> {
    try {
      // The driver types `_id` as an ObjectId; an event's `_id` is its sequence number.
      await AuditEventModel.collection.insertMany(events as unknown as OptionalId<Document>[], {
        ordered: true,
      });
      return events.length;
    } catch (error) {
      if (!isDuplicateKey(error) && !hasOnlyDuplicateKeyErrors(error)) throw error;
      const inserted = (error as { insertedCount?: number; result?: { insertedCount?: number } })
        .insertedCount;
      this.options.logger.debug({ inserted }, 'audit sequence number taken by another writer; re-chaining');
      return inserted ?? 0;
    }
  }
}

function hasOnlyDuplicateKeyErrors(error: unknown): boolean {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.length > 0 && list.every((e: { code?: number }) => e.code === 11000);
}
