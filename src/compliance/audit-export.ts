import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Checkpoint } from '../audit/audit-checkpoint.repository.js';
import type { AuditKeys } from '../audit/audit-keys.js';
import { signBytes } from '../audit/audit-keys.js';
import { allAuditEvents, type AuditFilter } from '../audit/audit-query.repository.js';
import type { VerificationResult } from '../audit/audit-verifier.js';
import { csvColumns, csvRow, eventBody } from './audit-serialise.js';

const progressEvery = 500;

/** Writes a line, waiting when the client reads slower than we write, so memory stays flat. */
async function writeLine(out: Writable, line: string) {
  if (!out.write(`${line}\n`)) await once(out, 'drain');
}

/** Told how many events have been written so far, every 500 events and at the end. */
export type ExportProgress = (written: number) => void;

/** Every matching event, oldest first, telling `progress` every 500 events and at the end. */
async function forEachEvent(
  filter: AuditFilter,
  keys: AuditKeys,
  visit: (event: Parameters<typeof csvRow>[0]) => Promise<void>,
  progress?: ExportProgress,
) {
  let count = 0;
  for await (const event of allAuditEvents(filter, keys.macKey)) {
    await visit(event);
    count += 1;
    if (count % progressEvery === 0) progress?.(count);
  }
  progress?.(count);
  return count;
}

/** How many events an export of this filter holds (read as the export reads them). */
export async function countEvents(filter: AuditFilter, keys: AuditKeys): Promise<number> {
  return forEachEvent(filter, keys, async () => undefined);
}

export async function writeCsvExport(
  out: Writable,
  filter: AuditFilter,
  keys: AuditKeys,
  progress?: ExportProgress,
): Promise<number> {
  await writeLine(out, csvColumns.join(','));
  return forEachEvent(filter, keys, (event) => writeLine(out, csvRow(event)), progress);
}

export async function writeJsonLinesExport(
  out: Writable,
  filter: AuditFilter,
  keys: AuditKeys,
  progress?: ExportProgress,
): Promise<number> {
  return forEachEvent(filter, keys, (event) => writeLine(out, JSON.stringify(eventBody(event))), progress);
}

/**
 * An evidence pack, as JSON Lines: a header with the verification result, the signed
 * checkpoint the chain was checked against and the public key; then the events; then a
 * trailer with the SHA-256 of every line before it, signed with the audit key, so the
 * recipient can tell the pack was not changed after it left the bank.
 */
export async function writeEvidencePack(
  out: Writable,
  filter: AuditFilter,
  evidence: {
    verification: VerificationResult;
    checkpoint: Checkpoint | undefined;
    keys: AuditKeys;
    generatedBy: string;
  },
  progress?: ExportProgress,
): Promise<number> {
  const digest = createHash('sha256');
  const emit = async (record: unknown) => {
    const line = JSON.stringify(record);
    digest.update(`${line}\n`);
    await writeLine(out, line);
  };
  const { verification, checkpoint, keys } = evidence;
  await emit({
    type: 'evidence-pack',
    version: 1,
    generatedAt: new Date().toISOString(),
    generatedBy: evidence.generatedBy,
    filter: Object.fromEntries(
      Object.entries(filter).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
    ),
    verification: {
      ok: verification.ok,
      lastSeq: verification.lastSeq,
      headHash: verification.headHash,
      checkpointsChecked: verification.checkpointsChecked,
      problem: verification.problem,
      verifiedAt: verification.startedAt.toISOString(),
    },
    checkpoint: checkpoint && { ...checkpoint, at: checkpoint.at.toISOString() },
    publicKey: keys.publicJwk,
    howToCheck:
      'Each event hash is SHA-256 over the RFC 8785 canonical JSON (JCS) of the event without "type" and "hash"; ' +
      'prevHash is the hash of the event before it. The checkpoint signs {"at","hash","keyId","seq","type":"audit-checkpoint"} ' +
      'with Ed25519 (publicKey). The last line signs the SHA-256 of all lines before it. ' +
      'Any RFC 8785 library, SHA-256 and an Ed25519 verifier are enough to check it.',
  });
  const count = await forEachEvent(
    filter,
    keys,
    (event) => emit({ type: 'event', ...eventBody(event) }),
    progress,
  );
  const sha256 = digest.digest('hex');
  await writeLine(
    out,
    JSON.stringify({
      type: 'end',
      events: count,
      sha256,
      keyId: keys.keyId,
      signature: signBytes(keys, sha256),
    }),
  );
  return count;
}
