import type { Lease } from '../db/lease.js';
import { sealedEventsOf } from './audit-sealing.js';
import {
  readBatches,
  readReceipt,
  recentPasses,
  removeSealingRecordsBefore,
  stagedBatchIds,
  type SealPass,
  type StagedBatch,
} from './audit-staging.repository.js';

/** Staged batches for a pass, and the recent passes when one may have been left unfinished. */
export interface Work {
  batches: StagedBatch[];
  passes: SealPass[];
}

/** Receipts and passes are kept this long: a process collects its receipt within milliseconds. */
const keepSealingRecordsMs = 30_000;

/** What the lease holder has to seal: the batches other processes staged (docs/audit-log.md). */
export class SealWork {
  /** When this process last took the lease; batches staged before then may have been sealed by the previous holder. */
  private holdingSince = 0;
  /** Whether the next look should read the recent passes (after taking the lease, or a failed pass). */
  private lookForUnfinished = true;
  private lastSweep = Date.now();

  constructor(private readonly lease: Lease) {}

  /** This process has just taken the lease. */
  tookLease() {
    this.holdingSince = Date.now();
    this.lookForUnfinished = true;
  }

  /** A pass failed in an unknown state: what it wrote is looked for. */
  passFailed() {
    this.lookForUnfinished = true;
  }

  /**
   * Staged batches to seal now (those in `taken`, being sealed, aside), with the recent
   * passes when a pass may have been left unfinished (by a holder that stopped, or by a
   * pass of this one that failed). Only with room left in the lease, so that two holders
   * never seal one batch.
   */
  async find(taken = new Set<string>()): Promise<Work> {
    await this.sweep();
    const staged = (await stagedBatchIds()).filter((b) => !taken.has(b._id));
    const waiting = await this.notYetSealed(staged);
    if (waiting.length === 0 || !(await this.lease.extend())) return { batches: [], passes: [] };
    const passes = this.lookForUnfinished ? await recentPasses() : [];
    this.lookForUnfinished = false;
    return { batches: await readBatches(waiting.map((b) => b._id)), passes };
  }

  /** Removes receipts and passes nobody needs any more, each kind in one operation. */
  private async sweep() {
    if (Date.now() - this.lastSweep < keepSealingRecordsMs) return;
    this.lastSweep = Date.now();
    await removeSealingRecordsBefore(new Date(Date.now() - keepSealingRecordsMs));
  }

  /**
   * Batches not sealed yet: not one staged before this holder took the lease whose receipt
   * the previous holder wrote (it stopped before removing the batch).
   */
  private async notYetSealed(fresh: { _id: string; createdAt: Date }[]) {
    const sealedBefore = await Promise.all(
      fresh.map(
        async (b) => b.createdAt.getTime() < this.holdingSince && (await readReceipt(b._id)) !== null,
      ),
    );
    return fresh.filter((_, k) => !sealedBefore[k]);
  }
}

/**
 * Each batch of a pass, with what an unfinished earlier pass already sealed of it (found in
 * the chain after `afterSeq`) and the rest, which this pass seals.
 */
export async function planPass(work: Work, afterSeq: number) {
  const plans = [];
  for (const batch of work.batches) {
    const earlier = work.passes.filter((p) => p.batchIds.includes(batch._id));
    const done = earlier.length > 0 ? await sealedEventsOf(batch, earlier, afterSeq) : [];
    plans.push({ batch, done, rest: batch.inputs.slice(done.length) });
  }
  return plans;
}
