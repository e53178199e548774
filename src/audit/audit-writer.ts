import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { Lease } from '../db/lease.js';
import { findChainHead, type ChainHead } from './audit-chain-head.js';
import type { AuditEvent, AuditInput } from './audit-event.js';
import { appendInOrder } from './audit-sealing.js';
import { planPass, SealWork, type Work } from './audit-seal-work.js';
import { StagedBatches, type Pending } from './audit-stager.js';
import { openPass, removeBatches, writeReceipts, type Receipt } from './audit-staging.repository.js';

export interface AuditWriterOptions {
  macKey: Buffer;
  logger: Logger;
  now?: () => Date;
  maxBatch?: number;
}

/** The lease that makes one process at a time the one that writes the chain. */
const lease = { slotMs: 5_000, marginMs: 1_000 };
/** How often a process waiting for its staged batches looks for their receipts. */
const pollMs = 10;
/** How often an idle holder looks for staged batches (before giving the lease up). */
const idleTickMs = 20;
/** A holder with no events of its own for this long gives the lease up, so it follows the traffic. */
const releaseAfterIdleMs = 500;
/** How often a process that does not hold the lease asks for it (the holder may have stopped). */
const askForLeaseEveryMs = 50;
/**
 * How often it asks while the holder is sealing its batches: asking is an insert that fails
 * (and a read) on the database every process shares, and a busy holder keeps the lease.
 */
const askWhileSealedForMs = 250;
/** While busy with its own events, the holder looks for staged batches this often. */
const scanEveryMs = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Appends events to the one hash chain, from any number of server processes, with group
 * commit and without any append failing because others write at the same time.
 *
 * One process at a time holds the writer's lease and writes the chain: while one batch is
 * written, new events queue, and the next insert carries them all. Every other process
 * stages its batches (one document each, an uncontended insert) and waits for their
 * receipt; the holder seals staged batches into the chain together with its own events,
 * so more processes mean bigger batches rather than races. The lease follows the
 * traffic: a holder with no events of its own gives it up after half a second, and a holder
 * that stops is replaced within one slot (5 s). docs/audit-log.md has the design and why.
 *
 * Correctness never rests on the lease: a sequence number is taken only by inserting the
 * event that carries it (ordered, so what a crash leaves is a chained prefix), and a
 * writer that finds its number taken re-chains after the events ahead (see
 * `appendInOrder`). A batch the holder marked but did not finish sealing is found in the
 * chain by the next holder, so it is sealed exactly once.
 */
export class AuditWriter {
  private queue: Pending[] = [];
  private pumping = false;
  private closing = false;
  private holding = false;
  private lastAsked = 0;
  private head: ChainHead | undefined;
  /** Set when a write failed in an unknown state: the head may be further on, past a gap. */
  private headUncertain = false;
  /** Set when this process takes the lease again: others may have written after the head it knew. */
  private headMayHaveMoved = false;
  private readonly writerId = randomUUID();
  private passCount = 0;
  /** The next pass's work, looked for while the current pass writes. */
  private nextWork: Promise<Work | undefined> | undefined;
  private lastScan = 0;
  private readonly lease: Lease;
  private readonly work: SealWork;
  private readonly staged: StagedBatches;
  private readonly now: () => Date;
  private readonly maxBatch: number;

  constructor(private readonly options: AuditWriterOptions) {
    this.now = options.now ?? (() => new Date());
    this.maxBatch = options.maxBatch ?? 500;
    this.lease = new Lease('audit-writer', lease.slotMs, lease.marginMs, Date.now, () => {
      this.headMayHaveMoved = true;
    });
    this.work = new SealWork(this.lease);
    this.staged = new StagedBatches(this.writerId, options.macKey);
  }

  append(input: AuditInput): Promise<AuditEvent> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  /** Writes what is queued, then gives the lease up, so that another process takes over at once (at shutdown). */
  async close(): Promise<void> {
    this.closing = true;
    while (this.pumping || this.queue.length > 0 || this.staged.size > 0) await sleep(5);
    this.closing = false;
  }

  private async pump() {
    this.pumping = true;
    let idleSince = Date.now();
    try {
      while (this.queue.length > 0 || this.staged.size > 0 || (this.holding && !this.closing)) {
        try {
          if (await this.mayWrite()) {
            const wrote = await this.writeAsHolder();
            if (wrote.own > 0) idleSince = Date.now();
            // Sealing only other processes' batches does not keep the lease: one with events of
            // its own takes it over and writes them directly, rather than staging them here.
            if (Date.now() - idleSince >= releaseAfterIdleMs) await this.releaseLease();
            else if (!wrote.any) await sleep(idleTickMs);
          } else {
            if (this.queue.length > 0) await this.staged.stage(this.queue.splice(0, this.maxBatch));
            await this.staged.collect();
            if (this.staged.size > 0) await sleep(pollMs);
          }
        } catch (error) {
          // The database failed us (it may be down). Whatever is waiting is answered with the
          // error, as a failed write always was; a staged batch may still be sealed later. The
          // lease is asked for again on the next write, so a process whose database has gone
          // does not keep trying in the background.
          this.headUncertain = true;
          this.holding = false;
          for (const pending of this.queue.splice(0)) pending.reject(error);
          this.staged.failAll(error);
          await sleep(idleTickMs);
        }
      }
      if (this.holding) await this.releaseLease().catch(() => undefined);
    } finally {
      this.pumping = false;
    }
  }

  private async mayWrite(): Promise<boolean> {
    const askEvery = this.staged.sealedWithin(askWhileSealedForMs) ? askWhileSealedForMs : askForLeaseEveryMs;
    if (!this.holding && Date.now() - this.lastAsked < askEvery) return false;
    this.lastAsked = Date.now();
    const held = this.holding;
    this.holding = await this.lease.hold();
    if (this.holding && !held) this.work.tookLease();
    return this.holding;
  }

  private async releaseLease() {
    this.holding = false;
    await this.lease.release();
  }

  /**
   * One pass of the holder: staged batches, then its own events, in one insert. Says
   * whether it wrote anything, and how many of the events were this process's own.
   */
  private async writeAsHolder(): Promise<{ any: boolean; own: number }> {
    const work = (await this.nextWork) ?? (await this.stagedWork());
    this.nextWork = undefined;
    const own = this.queue.splice(0, this.maxBatch);
    if (own.length === 0 && work.batches.length === 0) return { any: false, own: 0 };
    try {
      return { any: true, own: own.length + (await this.seal(own, work)) };
    } catch (error) {
      // Unknown state (the batch may be partly written): look for the head again next time,
      // forward from the last event known to be stored, and for what the pass wrote of the
      // staged batches (work looked for meanwhile did not look, so it is dropped).
      await this.nextWork;
      this.nextWork = undefined;
      this.headUncertain = true;
      this.work.passFailed();
      for (const pending of own) pending.reject(error);
      return { any: true, own: own.length };
    }
  }

  /** Staged batches to seal; while busy with its own events, the holder looks every few milliseconds. */
  private async stagedWork(taken = new Set<string>()): Promise<Work> {
    if (taken.size === 0 && this.queue.length > 0 && Date.now() - this.lastScan < scanEveryMs)
      return { batches: [], passes: [] };
    this.lastScan = Date.now();
    return this.work.find(taken);
  }

  /** Seals and writes; returns how many events of this process's own staged batches it answered. */
  private async seal(own: Pending[], work: Work): Promise<number> {
    if (!this.head || this.headUncertain) {
      this.head = await findChainHead(this.head, this.reportGap);
      this.headUncertain = false;
    } else if (this.headMayHaveMoved) {
      // Forward from the head it knew, past what other holders wrote since: one lookup if
      // nobody did. (The full search also probes 20 events ahead for gaps, which a lease
      // changing hands gives no reason to suspect; an event removed meanwhile right after
      // this head would still break the chain where verification reports it.)
      this.head = await findChainHead(this.head);
    }
    this.headMayHaveMoved = false;
    const at = this.now();
    const plans = await planPass(work, this.head.seq);
    const pass = {
      _id: `${this.writerId}#${++this.passCount}`,
      at,
      afterSeq: this.head.seq,
      batchIds: plans.filter((p) => p.rest.length > 0).map((p) => p.batch._id),
    };
    if (pass.batchIds.length > 0) await openPass(pass);
    const inputs = [...plans.flatMap((p) => p.rest), ...own.map((p) => p.input)];
    // While the chain is written, look for the next pass's batches (those of this one aside).
    const taken = new Set(plans.map((p) => p.batch._id));
    this.nextWork = this.stagedWork(taken).catch(() => undefined);
    const { events, head } = await appendInOrder(
      inputs,
      at,
      this.head,
      this.options.macKey,
      this.options.logger,
    );
    this.head = head;
    const receipts: Receipt[] = [];
    let ownStaged = 0;
    let i = 0;
    for (const { batch, done, rest } of plans) {
      const sealed = [...done, ...events.slice(i, i + rest.length)];
      i += rest.length;
      const mine = this.staged.take(batch._id);
      if (mine) {
        mine.forEach((pending, k) => pending.resolve(sealed[k]!));
        ownStaged += mine.length;
      } else {
        receipts.push({
          _id: batch._id,
          events: sealed.map(({ seq, at: when, prevHash, hash }) => ({ seq, at: when, prevHash, hash })),
        });
      }
    }
    own.forEach((pending, k) => pending.resolve(events[i + k]!));
    await Promise.all([writeReceipts(receipts), removeBatches([...taken])]);
    return ownStaged;
  }

  /** A removed event is evidence: it is left missing, written past, and said loudly. */
  private readonly reportGap = (missingSeq: number) =>
    this.options.logger.error(
      { missingSeq },
      'audit log: an event is missing while later events exist (removed?); it is left as found, and verification reports it',
    );
}
