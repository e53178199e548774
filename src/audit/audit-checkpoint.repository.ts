import { claim } from '../db/primary-key.js';
import { findChainHead, type ChainHead } from './audit-chain-head.js';
import { AuditCheckpointModel } from './audit-event.model.js';
import { canonicalJson, eventId } from './audit-event.js';
import { signBytes, verifySignature, type AuditKeys, type PublicJwk } from './audit-keys.js';

export interface Checkpoint {
  seq: number;
  hash: string;
  at: Date;
  keyId: string;
  signature: string;
  trigger: 'periodic' | 'on_demand';
}

/** What a checkpoint signs: the chain head at a moment, under one key. */
export function checkpointStatement(checkpoint: Pick<Checkpoint, 'seq' | 'hash' | 'at' | 'keyId'>): string {
  return canonicalJson({
    type: 'audit-checkpoint',
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    at: checkpoint.at,
    keyId: checkpoint.keyId,
  });
}

export function checkpointSignatureValid(checkpoint: Checkpoint, publicJwk: PublicJwk): boolean {
  if (checkpoint.keyId !== publicJwk.kid) return false;
  try {
    return verifySignature(publicJwk, checkpointStatement(checkpoint), checkpoint.signature);
  } catch {
    return false;
  }
}

/**
 * Signs the current chain head. Several processes may try at once: the checkpoint's
 * `_id` is the head's sequence number, so one of them writes it and the others read it.
 * Returns undefined while the log is empty.
 */
export async function writeCheckpoint(
  keys: AuditKeys,
  trigger: Checkpoint['trigger'],
  from?: ChainHead,
): Promise<Checkpoint | undefined> {
  // Past any gap: the head signed is the last event there is (verification reports the gap).
  const head = await findChainHead(from, () => undefined);
  if (head.seq === 0) return undefined;
  const base = { seq: head.seq, hash: head.hash, at: new Date(), keyId: keys.keyId };
  const checkpoint: Checkpoint = { ...base, signature: signBytes(keys, checkpointStatement(base)), trigger };
  if (await claim(AuditCheckpointModel, { _id: eventId(head.seq), ...checkpoint })) return checkpoint;
  const existing = await AuditCheckpointModel.findById(eventId(head.seq)).lean();
  return existing ?? undefined;
}

export async function listCheckpoints(): Promise<Checkpoint[]> {
  const all = await AuditCheckpointModel.find({}, { _id: 0 }).lean();
  return all.sort((a, b) => a.seq - b.seq);
}
