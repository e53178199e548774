import { AuditEventModel } from './audit-event.model.js';
import { contentHash, eventId, genesisHash, macFor } from './audit-event.js';
import { checkpointSignatureValid, listCheckpoints, type Checkpoint } from './audit-checkpoint.repository.js';
import type { AuditKeys } from './audit-keys.js';

export type ProblemKind = 'altered' | 'removed' | 'inserted' | 'reordered' | 'checkpoint_invalid';

export interface VerificationProblem {
  kind: ProblemKind;
  seq: number;
  message: string;
}

export interface VerificationResult {
  ok: boolean;
  checkedEvents: number;
  lastSeq: number;
  headHash: string;
  checkpointsChecked: number;
  latestCheckpoint: Checkpoint | undefined;
  problem: VerificationProblem | undefined;
  startedAt: Date;
  durationMs: number;
}

interface StoredEvent extends Record<string, unknown> {
  _id: unknown;
  seq: unknown;
  hash: string;
  prevHash: string;
  mac: string;
}

const maxOutOfOrder = 10_000;

/**
 * Recomputes the whole chain in sequence order and checks every checkpoint against it,
 * naming the first event that was altered, removed, inserted or reordered. Events are
 * streamed in storage order (which is close to sequence order) through a small reorder
 * buffer, so memory stays bounded whatever the size of the log.
 */
export async function verifyAuditLog(
  keys: AuditKeys,
  onProgress?: (done: number, total: number) => void,
): Promise<VerificationResult> {
  const startedAt = new Date();
  const total = await AuditEventModel.estimatedDocumentCount();
  const checkpoints = await listCheckpoints();
  let nextCheckpoint = 0;
  const problems: VerificationProblem[] = [];
  const pending = new Map<number, StoredEvent>();
  let expected = 1;
  let prevHash = genesisHash;
  let seen = 0;
  let chainBroken = false;

  const walk = (event: StoredEvent) => {
    const seq = expected;
    const recomputed = contentHash(event);
    if (recomputed !== event.hash) {
      const movedFrom = findOriginalPosition(event, seq);
      problems.push(
        movedFrom !== undefined
          ? {
              kind: 'reordered',
              seq,
              message: `event ${seq} was written as event ${movedFrom}: events were reordered`,
            }
          : {
              kind: 'altered',
              seq,
              message: `event ${seq} does not match its hash: its content was altered`,
            },
      );
      chainBroken = true;
      return;
    }
    if (event.mac !== macFor(keys.macKey, event.hash)) {
      problems.push({
        kind: 'inserted',
        seq,
        message: `event ${seq} was not written by the audit service: it was inserted, or altered with its hash recomputed`,
      });
      chainBroken = true;
      return;
    }
    if (event.prevHash !== prevHash) {
      problems.push({
        kind: 'removed',
        seq,
        message: `event ${seq} does not follow event ${seq - 1}: the event before it was removed or replaced`,
      });
      chainBroken = true;
      return;
    }
    prevHash = event.hash;
    expected += 1;
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.seq <= seq) {
      const checkpoint = checkpoints[nextCheckpoint++]!;
      if (
        checkpoint.seq === seq &&
        (checkpoint.hash !== event.hash || !checkpointSignatureValid(checkpoint, keys.publicJwk))
      ) {
        problems.push({
          kind: 'checkpoint_invalid',
          seq,
          message: `the signed checkpoint at event ${seq} does not match the log or its signature is invalid`,
        });
        chainBroken = true;
        return;
      }
    }
  };

  const drainPending = () => {
    while (!chainBroken && pending.has(expected)) {
      const next = pending.get(expected)!;
      pending.delete(expected);
      walk(next);
    }
  };

  const cursor = AuditEventModel.collection.find({}, { batchSize: 1000 });
  for await (const doc of cursor as AsyncIterable<StoredEvent>) {
    seen += 1;
    if (seen % 1000 === 0) onProgress?.(seen, total);
    const seq = doc.seq;
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1 || doc._id !== eventId(seq)) {
      const position = typeof seq === 'number' ? seq : Number(doc._id);
      problems.push({
        kind: 'inserted',
        seq: Number.isFinite(position) ? position : 0,
        message: `an event with id ${String(doc._id)} is not part of the sequence: it was inserted`,
      });
      continue;
    }
    if (chainBroken) continue;
    if (seq === expected) {
      walk(doc);
      drainPending();
    } else if (seq > expected) {
      pending.set(seq, doc);
      if (pending.size > maxOutOfOrder) {
        const stored = (await AuditEventModel.findById(eventId(expected)).lean()) as StoredEvent | null;
        if (stored) {
          walk(stored);
          drainPending();
        } else {
          problems.push(removedAt(expected));
          chainBroken = true;
        }
      }
    }
  }
  onProgress?.(seen, total);

  // Events written while the scan ran may be missing from it; look each gap up before calling it a removal.
  while (!chainBroken && pending.size > 0) {
    const stored = (await AuditEventModel.findById(eventId(expected)).lean()) as StoredEvent | null;
    if (!stored) {
      problems.push(removedAt(expected));
      break;
    }
    walk(stored);
    drainPending();
  }
  const lastSeq = expected - 1;
  const beyond = checkpoints.find((c) => c.seq > lastSeq);
  if (!chainBroken && pending.size === 0 && beyond) {
    problems.push({
      kind: 'removed',
      seq: lastSeq + 1,
      message: `the log ends at event ${lastSeq} but a signed checkpoint covers event ${beyond.seq}: events were removed from the end`,
    });
  }

  const problem = problems.sort((a, b) => a.seq - b.seq)[0];
  return {
    ok: problem === undefined,
    checkedEvents: lastSeq,
    lastSeq,
    headHash: prevHash,
    checkpointsChecked: nextCheckpoint,
    latestCheckpoint: checkpoints.filter((c) => c.seq <= lastSeq).at(-1),
    problem,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
  };
}

function removedAt(seq: number): VerificationProblem {
  return { kind: 'removed', seq, message: `event ${seq} is missing: it was removed` };
}

/** A reordered event still hashes correctly at the position it was written at. */
function findOriginalPosition(event: StoredEvent, seq: number): number | undefined {
  for (let distance = 1; distance <= 1000; distance++) {
    for (const candidate of [seq - distance, seq + distance]) {
      if (candidate >= 1 && contentHash({ ...event, seq: candidate }) === event.hash) return candidate;
    }
  }
  return undefined;
}
