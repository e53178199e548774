import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { serialUpdates } from '../db/serial-updates.js';
import { ExportChunkModel, ExportJobModel } from './export-job.model.js';

export type ExportFormat = 'csv' | 'jsonl' | 'evidence-pack';

export interface NewExportJob {
  id: string;
  format: ExportFormat;
  filter: Record<string, string>;
  words: string[];
  startedBy: string;
  expected: number;
}

/** The file is stored in chunks of this size, each one document read by its `_id`. */
const chunkBytes = 1024 * 1024;
const chunkId = (jobId: string, n: number) => `${jobId}#${n}`;

/** Records a new export job; its updates then come from the returned writer alone, in order. */
export async function startExportJob(job: NewExportJob, at = new Date()) {
  const { id, ...fields } = job;
  await ExportJobModel.create({
    _id: id,
    ...fields,
    status: 'running',
    phase: 'writing',
    startedAt: at,
    updatedAt: at,
  });
  return serialUpdates((set: Record<string, unknown>) =>
    ExportJobModel.updateOne({ _id: id }, { $set: { ...set, updatedAt: new Date() } }).exec(),
  );
}

export async function findExportJob(id: string) {
  return ExportJobModel.findById(id).lean();
}

export type ExportJob = NonNullable<Awaited<ReturnType<typeof findExportJob>>>;

/**
 * Jobs asked for since `since`, newest first. The collection holds a day of exports (older
 * ones are removed), so reading it whole is cheap (docs/storage.md).
 */
export async function exportJobsSince(since: Date) {
  const jobs = await ExportJobModel.find({}).lean();
  return jobs
    .filter((job) => job.startedAt >= since)
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

/**
 * A stream that stores what is written to it as the job's file, chunk by chunk; once it has
 * finished, `stored()` says how many chunks and bytes it holds and their SHA-256.
 */
export function exportFileWriter(jobId: string) {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let chunks = 0;
  let bytes = 0;
  const digest = createHash('sha256');
  const save = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    await ExportChunkModel.create({ _id: chunkId(jobId, chunks), data });
    chunks += 1;
  };
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      digest.update(chunk);
      bytes += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < chunkBytes) return callback();
      save().then(() => callback(), callback);
    },
    final(callback) {
      save().then(() => callback(), callback);
    },
  });
  return { stream, stored: () => ({ chunks, bytes, sha256: digest.digest('hex') }) };
}

/** The job's file, chunk by chunk, in order. */
export async function* exportFileChunks(jobId: string, chunks: number) {
  for (let n = 0; n < chunks; n++) {
    const chunk = await ExportChunkModel.findById(chunkId(jobId, n));
    if (!chunk) throw new Error(`export ${jobId} is missing part ${n} of its file`);
    yield chunk.data;
  }
}

/**
 * Removes jobs asked for before `before`, with their files. Chunks are removed one by one
 * by `_id` (a `_id` range would scan), counting up until one is missing, so that a job cut
 * off before it recorded its chunk count leaves nothing behind.
 */
export async function removeExportJobsBefore(before: Date) {
  const jobs = await ExportJobModel.find({}).lean();
  for (const job of jobs.filter((j) => j.startedAt < before)) {
    await removeExportFile(job._id);
    await ExportJobModel.deleteOne({ _id: job._id });
  }
}

/** Removes a job's file, or what a failed job wrote of it. */
export async function removeExportFile(jobId: string) {
  for (let n = 0; ; n++) {
    const { deletedCount } = await ExportChunkModel.deleteOne({ _id: chunkId(jobId, n) });
    if (deletedCount === 0) break;
  }
}
