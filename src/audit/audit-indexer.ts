import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { claim, findManyById } from '../db/primary-key.js';
import { AuditEventModel } from './audit-event.model.js';
import { eventId, type AuditEvent } from './audit-event.js';
import {
  AuditDailyStatsModel,
  AuditIndexLeaseModel,
  AuditIndexStateModel,
  AuditPostingDirModel,
  AuditPostingModel,
  postingBucketSize,
  postingId,
} from './audit-index.model.js';
import { postingKeysOf } from './audit-postings.js';
import { mergeDailyStats, type DailyStats } from './audit-stats.js';

const leaseMs = 60_000;
// A batch starts only with this much of the lease left, so a lease always ends idle.
const leaseMarginMs = 20_000;

export interface IndexerOptions {
  logger: Logger;
  batchSize?: number;
  now?: () => number;
}

/**
 * Builds the posting lists and daily statistics from events, in sequence order. The
 * embedded database does not isolate updates, so exactly one process indexes at a time:
 * it holds a lease claimed by inserting `lease#<minute>`, and works only while well
 * inside it. Re-applying a batch after a crash is harmless: postings are added as sets
 * and statistics record the last sequence number they include.
 */
export class AuditIndexer {
  private readonly owner = randomUUID();
  private leaseSlot = -1;
  private readonly batchSize: number;
  private readonly now: () => number;

  constructor(private readonly options: IndexerOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.now = options.now ?? Date.now;
  }

  /** Indexes whatever is new, if this process holds the lease. Returns the number of events indexed. */
  async runOnce(): Promise<number> {
    if (!(await this.holdLease())) return 0;
    let total = 0;
    for (;;) {
      if (!this.insideLease()) return total;
      const indexed = await this.indexBatch();
      total += indexed;
      if (indexed < this.batchSize) return total;
    }
  }

  /** Indexes everything up to the current end of the log, waiting for the lease if needed (tests, tools). */
  async catchUp(): Promise<number> {
    let total = 0;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (await this.holdLease()) {
        const indexed = await this.indexBatch();
        total += indexed;
        if (indexed < this.batchSize) return total;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    throw new Error('audit indexer could not catch up');
  }

  private async holdLease(): Promise<boolean> {
    const slot = Math.floor(this.now() / leaseMs);
    if (slot === this.leaseSlot) return true;
    const won = await claim(AuditIndexLeaseModel as never, {
      _id: `lease#${slot}`,
      owner: this.owner,
      expiresAt: new Date((slot + 1) * leaseMs),
    });
    if (won) {
      this.leaseSlot = slot;
      await AuditIndexLeaseModel.deleteMany({ expiresAt: { $lt: new Date(this.now() - 10 * leaseMs) } });
      return true;
    }
    const lease = await AuditIndexLeaseModel.findById(`lease#${slot}`).lean();
    if (lease?.owner === this.owner) this.leaseSlot = slot;
    return lease?.owner === this.owner;
  }

  private insideLease(): boolean {
    return (
      Math.floor(this.now() / leaseMs) === this.leaseSlot &&
      this.now() < (this.leaseSlot + 1) * leaseMs - leaseMarginMs
    );
  }

  private async indexBatch(): Promise<number> {
    const state = await AuditIndexStateModel.findById('progress').lean();
    const from = (state?.indexedThrough ?? 0) + 1;
    const events = await fetchContiguous(from, this.batchSize);
    if (events.length === 0) return 0;
    const through = events.at(-1)!.seq;

    await this.writePostings(events);
    await this.writeDailyStats(events);
    await AuditIndexStateModel.updateOne(
      { _id: 'progress' },
      { $set: { indexedThrough: through, updatedAt: new Date() } },
      { upsert: true },
    );
    return events.length;
  }

  private async writePostings(events: AuditEvent[]) {
    const byPosting = new Map<string, { key: string; bucket: number; seqs: number[] }>();
    for (const event of events) {
      const bucket = Math.floor(event.seq / postingBucketSize);
      for (const key of postingKeysOf(event)) {
        const id = postingId(key, bucket);
        const entry = byPosting.get(id) ?? { key, bucket, seqs: [] };
        entry.seqs.push(event.seq);
        byPosting.set(id, entry);
      }
    }
    await inParallel([...byPosting], 16, async ([id, { key, bucket, seqs }]) => {
      await AuditPostingModel.updateOne(
        { _id: id },
        { $setOnInsert: { key, bucket }, $addToSet: { seqs: { $each: seqs } } },
        { upsert: true },
      );
      await AuditPostingDirModel.updateOne(
        { _id: key },
        { $addToSet: { buckets: bucket } },
        { upsert: true },
      );
    });
  }

  private async writeDailyStats(events: AuditEvent[]) {
    const days = new Map<string, AuditEvent[]>();
    for (const event of events) days.set(event.day, [...(days.get(event.day) ?? []), event]);
    for (const [day, dayEvents] of days) {
      const current = (await AuditDailyStatsModel.findById(day).lean()) as DailyStats | null;
      const merged = mergeDailyStats(current ?? { _id: day, throughSeq: 0, apps: [] }, dayEvents);
      if (merged !== current) await AuditDailyStatsModel.replaceOne({ _id: day }, merged, { upsert: true });
    }
  }
}

/** Events from `from` onwards, stopping at the first sequence number not yet written. */
export async function fetchContiguous(from: number, count: number): Promise<AuditEvent[]> {
  const ids = Array.from({ length: count }, (_, i) => eventId(from + i));
  const found: AuditEvent[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const chunk = (await findManyById(ids.slice(i, i + 50), (id) =>
      AuditEventModel.findById(id).lean(),
    )) as unknown as AuditEvent[];
    for (const event of chunk) {
      if (event.seq !== from + found.length) return found;
      found.push(event);
    }
    if (chunk.length < 50) return found;
  }
  return found;
}

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
