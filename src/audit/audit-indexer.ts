import type { Logger } from '../logger.js';
import { Lease } from '../db/lease.js';
import type { AuditEvent } from './audit-event.js';
import { AuditBlockWriter, fetchContiguous } from './audit-blocks.js';
import type { AuditKeys } from './audit-keys.js';
import {
  AuditDailyStatsModel,
  AuditIndexStateModel,
  AuditPostingDirModel,
  AuditPostingModel,
} from './audit-index.model.js';
import { bucketId, pageId, postingBucketSize, postingKeysOf, postingPageSize } from './audit-postings.js';
import { mergeDailyStats, type DailyStats } from './audit-stats.js';

export interface IndexerOptions {
  logger: Logger;
  /** The audit keys: sealed blocks are written only from events whose MAC checks out, and carry a MAC of their own. */
  keys: AuditKeys;
  /** Events per batch in steady state; catching up uses larger batches so busy keys are written once per batch. */
  batchSize?: number;
  catchUpBatchSize?: number;
  /** Entries per page of a sparse key's list (smaller in tests, to exercise new pages). */
  pageSize?: number;
  now?: () => number;
}

/**
 * Builds the posting lists and daily statistics from events, in sequence order. The
 * embedded database does not isolate updates, so exactly one process indexes at a time,
 * under a Lease. Re-applying a batch after a crash is harmless: readers treat postings as
 * sets, and statistics record the last sequence number they include.
 */
export class AuditIndexer {
  private readonly lease: Lease;
  private readonly batchSize: number;
  private readonly catchUpBatchSize: number;
  private readonly pageSize: number;
  private readonly now: () => number;
  // Posting directories only grow, and this process is their only writer while it holds
  // the lease, so what it has written need not be read back.
  private readonly knownBuckets = new Set<string>();
  private readonly currentPages = new Map<string, { n: number; count: number }>();
  private readonly blocks: AuditBlockWriter;

  constructor(private readonly options: IndexerOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.catchUpBatchSize = options.catchUpBatchSize ?? 20_000;
    this.pageSize = options.pageSize ?? postingPageSize;
    this.now = options.now ?? Date.now;
    this.blocks = new AuditBlockWriter({ macKey: options.keys.macKey, logger: options.logger });
    this.lease = new Lease('audit-indexer', 60_000, 20_000, this.now, () => {
      this.knownBuckets.clear();
      this.currentPages.clear();
      this.blocks.forget();
    });
  }

  /** Indexes whatever is new, if this process holds the lease. Returns the number of events indexed. */
  async runOnce(): Promise<number> {
    if (!(await this.holdLease())) return 0;
    let total = 0;
    for (;;) {
      if (!this.insideLease()) return total;
      // Far behind (a burst of traffic): larger batches write each busy key once per batch.
      const size = total >= this.batchSize ? this.catchUpBatchSize : this.batchSize;
      const indexed = await this.indexBatch(size);
      total += indexed;
      if (indexed < size) return total;
    }
  }

  /** Indexes everything up to the current end of the log, waiting for the lease if needed (tests, tools). */
  async catchUp(onProgress?: (indexedThrough: number) => void): Promise<number> {
    let total = 0;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (await this.holdLease()) {
        const indexed = await this.indexBatch(this.catchUpBatchSize);
        total += indexed;
        onProgress?.(total);
        if (indexed < this.catchUpBatchSize) return total;
        attempt = 0;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    throw new Error('audit indexer could not catch up');
  }

  release(): Promise<void> {
    return this.lease.release();
  }

  private holdLease(): Promise<boolean> {
    return this.lease.hold();
  }

  private insideLease(): boolean {
    return this.lease.roomLeft();
  }

  /**
   * Indexes events the caller already holds (a bulk loader that is the only writer), so
   * they need not be read back. Falls back to reading if they do not continue the index.
   */
  async indexKnown(events: AuditEvent[]): Promise<number> {
    if (!(await this.holdLease())) return 0;
    return this.indexBatch(events.length, events);
  }

  private async indexBatch(size: number, known?: AuditEvent[]): Promise<number> {
    const state = await AuditIndexStateModel.findById('progress').lean();
    const from = (state?.indexedThrough ?? 0) + 1;
    const events = known?.[0]?.seq === from ? known : await fetchContiguous(from, size);
    if (events.length === 0) {
      // Nothing new: catch up on sealed blocks of an older log, a few each pass.
      await this.blocks.writeThrough(from - 1);
      return 0;
    }
    const through = events.at(-1)!.seq;

    await this.writePostings(events);
    await this.writeDailyStats(events);
    await AuditIndexStateModel.updateOne(
      { _id: 'progress' },
      { $set: { indexedThrough: through, updatedAt: new Date() } },
      { upsert: true },
    );
    this.blocks.remember(events);
    await this.blocks.writeThrough(through);
    return events.length;
  }

  /**
   * Dense keys: each bucket gets the new sequence numbers appended ($push: a replay after
   * a crash can only add duplicates, which readers drop) and the directory any new bucket.
   * Sparse keys: numbers go to the key's current page until it is full, then a new page
   * is listed in the directory first and filled after, so a crash never hides entries.
   */
  private async writePostings(events: AuditEvent[]) {
    const dense = new Map<string, Map<number, number[]>>();
    const sparse = new Map<string, number[]>();
    for (const event of events) {
      const bucket = Math.floor(event.seq / postingBucketSize);
      const { bucketed, paged } = postingKeysOf(event);
      for (const key of bucketed) {
        const buckets = dense.get(key) ?? new Map<number, number[]>();
        const seqs = buckets.get(bucket) ?? [];
        seqs.push(event.seq);
        buckets.set(bucket, seqs);
        dense.set(key, buckets);
      }
      for (const key of paged) {
        const seqs = sparse.get(key) ?? [];
        seqs.push(event.seq);
        sparse.set(key, seqs);
      }
    }
    await inParallel([...dense], 8, ([key, buckets]) => this.writeBuckets(key, buckets));
    await inParallel([...sparse], 16, ([key, seqs]) => this.writePages(key, seqs));
  }

  private async writeBuckets(key: string, buckets: Map<number, number[]>) {
    for (const [bucket, seqs] of buckets) {
      await AuditPostingModel.updateOne(
        { _id: bucketId(key, bucket) },
        { $push: { seqs: { $each: seqs } } },
        { upsert: true },
      );
    }
    const fresh = [...buckets.keys()].filter((bucket) => !this.knownBuckets.has(bucketId(key, bucket)));
    if (fresh.length === 0) return;
    await AuditPostingDirModel.updateOne(
      { _id: key },
      { $addToSet: { buckets: { $each: fresh } } },
      { upsert: true },
    );
    for (const bucket of fresh) this.knownBuckets.add(bucketId(key, bucket));
  }

  private async writePages(key: string, seqs: number[]) {
    let page = this.currentPages.get(key) ?? (await loadCurrentPage(key));
    let remaining = seqs;
    while (remaining.length > 0) {
      if (!page || page.count >= this.pageSize) {
        const n = page ? page.n + 1 : 0;
        await AuditPostingDirModel.updateOne(
          { _id: key },
          { $push: { pages: { n, minSeq: remaining[0] } } },
          { upsert: true },
        );
        page = { n, count: 0 };
      }
      const take = remaining.slice(0, this.pageSize - page.count);
      remaining = remaining.slice(take.length);
      await AuditPostingModel.updateOne(
        { _id: pageId(key, page.n) },
        { $push: { seqs: { $each: take } } },
        { upsert: true },
      );
      page = { n: page.n, count: page.count + take.length };
    }
    this.currentPages.set(key, page!);
  }

  private async writeDailyStats(events: AuditEvent[]) {
    const days = new Map<string, AuditEvent[]>();
    for (const event of events) {
      const list = days.get(event.day) ?? [];
      list.push(event);
      days.set(event.day, list);
    }
    await inParallel([...days], 8, async ([day, dayEvents]) => {
      const current = (await AuditDailyStatsModel.findById(day).lean()) as DailyStats | null;
      const merged = mergeDailyStats(current ?? { _id: day, throughSeq: 0, apps: [] }, dayEvents);
      if (merged !== current) await AuditDailyStatsModel.replaceOne({ _id: day }, merged, { upsert: true });
    });
  }
}

/** The last page of a sparse key and how full it is, as stored (after another process held the lease). */
async function loadCurrentPage(key: string): Promise<{ n: number; count: number } | undefined> {
  const dir = await AuditPostingDirModel.findById(key).lean();
  const last = dir?.pages?.at(-1);
  if (!last) return undefined;
  const page = await AuditPostingModel.findById(pageId(key, last.n!)).lean();
  return { n: last.n!, count: page?.seqs.length ?? 0 };
}

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
