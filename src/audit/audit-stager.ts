import type { AuditEvent, AuditInput } from './audit-event.js';
import { eventsAt } from './audit-sealing.js';
import { readReceipt, stageBatch } from './audit-staging.repository.js';

/** An event a caller is waiting on. */
export interface Pending {
  input: AuditInput;
  resolve: (event: AuditEvent) => void;
  reject: (error: unknown) => void;
}

/** A staged batch not sealed by then is answered with an error (no process can reach the database). */
const stagedTimeoutMs = 20_000;

/**
 * A process's batches staged for the lease holder to seal (docs/audit-log.md), each
 * waiting for its receipt; its callers are answered with their events as they stand in
 * the chain.
 */
export class StagedBatches {
  private readonly waiting = new Map<string, { entries: Pending[]; since: number }>();
  private count = 0;
  /** When a receipt last answered one of these batches: a holder is at work. */
  private lastSealedAt = 0;

  constructor(
    private readonly writerId: string,
    private readonly macKey: Buffer,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** Stages one batch (one insert nobody else contends for). */
  async stage(entries: Pending[]) {
    const id = `${this.writerId}#${++this.count}`;
    try {
      await stageBatch(
        id,
        entries.map((p) => p.input),
      );
    } catch (error) {
      for (const pending of entries) pending.reject(error);
      throw error;
    }
    this.waiting.set(id, { entries, since: Date.now() });
  }

  /** The callers of one of these batches, no longer waiting: this process sealed it itself, having taken the lease. */
  take(batchId: string): Pending[] | undefined {
    const entries = this.waiting.get(batchId)?.entries;
    this.waiting.delete(batchId);
    return entries;
  }

  /**
   * Answers the callers of every batch whose receipt the holder has written, oldest first,
   * looking no further than the first without one: a holder seals every batch staged when it
   * looks, so a later batch is never sealed before an earlier one, and one lookup a round is
   * enough while the holder is busy (the database serves every process's lookups one at a time).
   */
  async collect() {
    for (const [id, { entries, since }] of this.waiting) {
      const receipt = await readReceipt(id);
      if (receipt) {
        const events = eventsAt(entries, receipt, this.macKey);
        entries.forEach((pending, k) => pending.resolve(events[k]!));
        this.waiting.delete(id);
        this.lastSealedAt = Date.now();
      } else if (Date.now() - since > stagedTimeoutMs) {
        const error = new Error(`audit log: staged batch ${id} was not sealed in time`);
        for (const pending of entries) pending.reject(error);
        this.waiting.delete(id);
      } else {
        return;
      }
    }
  }

  /** Whether a holder has sealed one of these batches in the last `ms` milliseconds. */
  sealedWithin(ms: number): boolean {
    return Date.now() - this.lastSealedAt < ms;
  }

  failAll(error: unknown) {
    for (const { entries } of this.waiting.values()) for (const pending of entries) pending.reject(error);
    this.waiting.clear();
  }
}
