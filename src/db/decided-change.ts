import { claim, type Claimable } from './primary-key.js';

/**
 * A change with exactly one winner and exactly one outcome, on an engine that does not
 * isolate updates (docs/storage.md, "decided changes"). The caller claims the change by
 * inserting its document (`claim`), in state `claimed`, and then writes its audit event;
 * this block decides what became of it:
 *
 * - `decide` settles the outcome once, by inserting `<change>#outcome`: `audited` when the
 *   audit event was written, `abandoned` when it was not. Whoever comes second (the writer
 *   whose audit write was slow, a reader that gave it up for dead) reads the first decision.
 * - `outcomeOf` answers for a follow-up or a reader: `undecided` while the writer may still
 *   be recording it, and, once the claim is stale, the outcome settled from the audit log
 *   (the change happened if and only if its audit event exists).
 *
 * On MongoDB proper the same would be one transaction writing the change and its event.
 */

export type Outcome = 'audited' | 'abandoned';

/** A claimed change as stored: when it was claimed and where it stands. */
export interface ClaimedChange {
  _id: string;
  at: Date;
}

/** The collection of changes: a mongoose model fits. */
export interface ChangeCollection extends Claimable {
  findById(id: string): { lean(): PromiseLike<unknown> };
  updateOne(filter: { _id: string }, update: { $set: Record<string, unknown> }): PromiseLike<unknown>;
}

export interface DecidedChangeOptions<C extends ClaimedChange> {
  /** The field of a change document holding `claimed` or its outcome. */
  field: string;
  /** The sequence number of the audit event recording this change, if one was written. */
  auditEventOf(change: C): Promise<number | undefined>;
  /** A change claimed longer ago than this and still undecided has lost its writer. */
  inFlightMs?: number;
}

export function decidedChanges<C extends ClaimedChange>(
  changes: ChangeCollection,
  options: DecidedChangeOptions<C>,
) {
  const inFlightMs = options.inFlightMs ?? 30_000;

  /** Decides a claimed change's outcome exactly once; resolves the decided outcome. */
  async function decide(id: string, outcome: Outcome, auditSeq?: number): Promise<Outcome> {
    const outcomeId = `${id}#outcome`;
    const won = await claim(changes, { _id: outcomeId, outcome, ...(auditSeq ? { auditSeq } : {}) });
    const decided = won
      ? outcome
      : (((await changes.findById(outcomeId).lean()) as { outcome?: Outcome } | null)?.outcome ?? outcome);
    const seq = auditSeq && decided === 'audited' ? { auditSeq } : {};
    await changes.updateOne({ _id: id }, { $set: { [options.field]: decided, ...seq } });
    return decided;
  }

  /**
   * The winner of a claim records its decision (writes the audit event) and the change
   * counts if that worked: `audited`, unless a reader settled it as abandoned meanwhile. If
   * the write fails, the change is abandoned and the error rethrown.
   */
  async function commit(id: string, recordDecision: (id: string) => Promise<{ seq: number }>) {
    let event: { seq: number };
    try {
      event = await recordDecision(id);
    } catch (error) {
      await decide(id, 'abandoned');
      throw error;
    }
    return decide(id, 'audited', event.seq);
  }

  /** A change whose writer vanished: it happened if and only if its audit event was written. */
  async function settle(change: C): Promise<Outcome> {
    const seq = await options.auditEventOf(change);
    return decide(change._id, seq === undefined ? 'abandoned' : 'audited', seq);
  }

  /** The stored change's outcome, settling it when its writer is gone. */
  async function outcomeOfStored(change: C, now: Date): Promise<Outcome | 'undecided'> {
    const state = (change as unknown as Record<string, unknown>)[options.field];
    if (state === 'audited' || state === 'abandoned') return state;
    if (now.getTime() - change.at.getTime() < inFlightMs) return 'undecided';
    return settle(change);
  }

  /** Whether a change took effect; one never claimed did not. */
  async function outcomeOf(id: string, now: Date): Promise<Outcome | 'undecided'> {
    const change = (await changes.findById(id).lean()) as C | null;
    return change ? outcomeOfStored(change, now) : 'abandoned';
  }

  return { commit, decide, outcomeOf, outcomeOfStored };
}
