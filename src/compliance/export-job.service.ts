import { createHash, randomUUID } from 'node:crypto';
import { finished } from 'node:stream/promises';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditFilter } from '../audit/audit-query.repository.js';
import { NotFoundError } from '../errors.js';
import { writeCsvExport, writeEvidencePack, writeJsonLinesExport } from './audit-export.js';
import { describeFilter, recordExport, verifyNow, type Viewer } from './compliance.service.js';
import {
  exportFileChunks,
  exportFileWriter,
  exportJobsSince,
  findExportJob,
  removeExportFile,
  removeExportJobsBefore,
  startExportJob,
  type ExportFormat,
  type ExportJob,
} from './export-job.repository.js';
import { filterInWords } from './export-review.service.js';

/**
 * Exports are prepared in the background, so an officer sees progress rather than a
 * download that spins for minutes, and any server process can hand over the file. A file
 * is kept for a day, for the officer who asked for it alone; each download is recorded in
 * the audit log, with the filter and the number of events, before its first byte leaves.
 */
const keptForMs = 24 * 3600_000;
/** A job that has written nothing for this long was cut off (its process stopped). */
const silentForMs = 2 * 60_000;
const reportEveryMs = 1000;

export async function startExport(
  audit: AuditLog,
  viewer: Viewer,
  request: { filter: AuditFilter; format: ExportFormat; expected: number },
): Promise<string> {
  await removeExportJobsBefore(new Date(Date.now() - keptForMs));
  const id = randomUUID();
  const { filter, format, expected } = request;
  const update = await startExportJob({
    id,
    format,
    filter: describeFilter(filter),
    words: await filterInWords(filter),
    startedBy: viewer.user.id,
    expected,
  });
  // Never let a failed export, or a database gone while it failed, bring the server down.
  void prepare(audit, viewer, { id, filter, format }, update).catch(() => undefined);
  return id;
}

async function prepare(
  audit: AuditLog,
  viewer: Viewer,
  job: { id: string; filter: AuditFilter; format: ExportFormat },
  update: (set: Record<string, unknown>) => Promise<unknown>,
) {
  let lastReport = 0;
  const report = (set: Record<string, number>) => {
    if (Date.now() - lastReport < reportEveryMs) return;
    lastReport = Date.now();
    void update(set).catch(() => undefined);
  };
  const written = (done: number) => report({ done });
  const file = exportFileWriter(job.id);
  try {
    let count: number;
    let cover: Record<string, unknown> | undefined;
    if (job.format === 'evidence-pack') {
      await update({ phase: 'verifying' });
      const verification = await verifyNow(audit, viewer, (done, total) => report({ done, total }));
      await update({ phase: 'writing', done: 0 });
      const evidence = {
        verification,
        checkpoint: verification.latestCheckpoint,
        keys: audit.keys,
        generatedBy: viewer.user.id,
      };
      count = await writeEvidencePack(file.stream, job.filter, evidence, written);
      cover = {
        verification,
        key: keyOf(audit),
        preparedBy: viewer.user.email,
      };
    } else {
      const write = job.format === 'csv' ? writeCsvExport : writeJsonLinesExport;
      count = await write(file.stream, job.filter, audit.keys, written);
    }
    file.stream.end();
    await finished(file.stream);
    await update({ status: 'done', finishedAt: new Date(), done: count, count, cover, ...file.stored() });
  } catch (error) {
    file.stream.destroy();
    await removeExportFile(job.id).catch(() => undefined);
    await update({
      status: 'failed',
      finishedAt: new Date(),
      error: error instanceof Error ? error.message : 'failed',
    });
  }
}

/** The id and the SHA-256 fingerprint of the public key that signs checkpoints and packs. */
function keyOf(audit: AuditLog) {
  const publicKey = audit.keys.publicJwk;
  return {
    id: publicKey.kid,
    // Hex in pairs, for reading aloud or comparing on paper.
    fingerprint: createHash('sha256')
      .update(Buffer.from(publicKey.x, 'base64url'))
      .digest('hex')
      .match(/../g)!
      .join(':'),
  };
}

export type ExportState = 'running' | 'done' | 'failed' | 'stopped' | 'expired';

/** What the officer is told about an export: a run not heard from for long has stopped. */
export function exportState(job: ExportJob, now = new Date()): ExportState {
  if (now.getTime() - job.startedAt.getTime() >= keptForMs) return 'expired';
  if (job.status === 'running' && now.getTime() - job.updatedAt.getTime() > silentForMs) return 'stopped';
  return job.status;
}

/** One of the officer's own exports; another officer's is not found, as one that never was. */
export async function ownExport(viewer: Viewer, id: string, now = new Date()) {
  const job = await findExportJob(id);
  if (!job || job.startedBy !== viewer.user.id) throw new NotFoundError('There is no such export of yours');
  return { ...job, state: exportState(job, now), expiresAt: new Date(job.startedAt.getTime() + keptForMs) };
}

/** The officer's exports of the last day, newest first. */
export async function recentExportsOf(viewer: Viewer, now = new Date()) {
  const jobs = await exportJobsSince(new Date(now.getTime() - keptForMs));
  return jobs
    .filter((job) => job.startedBy === viewer.user.id)
    .slice(0, 10)
    .map((job) => ({ ...job, state: exportState(job, now) }));
}

/** A finished export's file, once its download is recorded in the audit log. */
export async function downloadExport(audit: AuditLog, viewer: Viewer, id: string) {
  const job = await ownExport(viewer, id);
  if (job.state !== 'done') throw new NotFoundError('This export has no file to download');
  await recordExport(audit, viewer, job.format, {
    ...(job.filter as Record<string, string>),
    count: job.count!,
    exportId: job._id,
  });
  return { job, chunks: exportFileChunks(job._id, job.chunks!) };
}

/** The printable cover of a finished evidence pack, from what was verified and written for it. */
export async function evidenceCover(viewer: Viewer, id: string) {
  const job = await ownExport(viewer, id);
  if (job.format !== 'evidence-pack' || job.state !== 'done')
    throw new NotFoundError('Only a finished evidence pack has a cover');
  return job;
}
