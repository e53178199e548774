import { Schema, model } from 'mongoose';

/**
 * An export prepared in the background for the officer who asked for it. Written only by
 * the process preparing it; its file is kept in numbered chunks (`<id>#<n>`) so that any
 * process can serve the download, and both are removed a day after it was asked for.
 */
const exportJobSchema = new Schema(
  {
    _id: { type: String, required: true },
    status: { type: String, enum: ['running', 'done', 'failed'], required: true },
    phase: { type: String, enum: ['verifying', 'writing'], required: true },
    format: { type: String, enum: ['csv', 'jsonl', 'evidence-pack'], required: true },
    /** The filter as recorded in the audit log (strings), and in words for the pages. */
    filter: { type: Schema.Types.Mixed, required: true },
    words: { type: [String], required: true },
    startedBy: { type: String, required: true },
    startedAt: { type: Date, required: true },
    /** When the preparing process last wrote: a run not heard from for long was cut off. */
    updatedAt: { type: Date, required: true },
    finishedAt: Date,
    /** The count shown before it started, for the progress bar; `count` is what the file holds. */
    expected: { type: Number, default: 0 },
    done: { type: Number, default: 0 },
    total: { type: Number, default: 0 },
    count: Number,
    bytes: Number,
    chunks: Number,
    sha256: String,
    /** An evidence pack's cover: the verification it carries, its checkpoint and key. */
    cover: Schema.Types.Mixed,
    error: String,
  },
  { collection: 'audit_export_jobs', versionKey: false },
);

const exportChunkSchema = new Schema(
  { _id: { type: String, required: true }, data: { type: Buffer, required: true } },
  { collection: 'audit_export_chunks', versionKey: false },
);

export const ExportJobModel = model('ExportJob', exportJobSchema);
export const ExportChunkModel = model('ExportChunk', exportChunkSchema);
