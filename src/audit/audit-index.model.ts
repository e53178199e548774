import { Schema, model } from 'mongoose';

/**
 * Derived look-up structures for compliance queries, built from the events by the
 * indexer (audit-indexer.ts) and rebuildable from them at any time. They are not the
 * audit record: the events are. Everything is read by `_id` (see audit-postings.ts for
 * the two layouts), so a filtered page costs about the same at any size of log.
 */

/** Sequence numbers of events with one key: a bucket (`<key>#b<n>`) or a page (`<key>#p<n>`). */
const postingSchema = new Schema(
  { _id: String, seqs: [Number] },
  { collection: 'audit_postings', versionKey: false },
);
export const AuditPostingModel = model('AuditPosting', postingSchema);

/** Per key: the buckets it has (dense keys), or its pages and the first sequence number of each (sparse keys). */
const pageRefSchema = new Schema({ n: Number, minSeq: Number }, { _id: false });
const postingDirSchema = new Schema(
  {
    _id: String,
    buckets: { type: [Number], default: undefined },
    pages: { type: [pageRefSchema], default: undefined },
  },
  { collection: 'audit_posting_dirs', versionKey: false },
);
export const AuditPostingDirModel = model('AuditPostingDir', postingDirSchema);

/** Per-day activity per app, for the charts and the refused-access breakdown. */
const countSchema = new Schema({ name: String, count: Number }, { _id: false });
const appDaySchema = new Schema(
  {
    clientId: String,
    total: Number,
    success: Number,
    failure: Number,
    actions: [countSchema],
    refusals: [countSchema],
  },
  { _id: false },
);
const dailyStatsSchema = new Schema(
  { _id: String, throughSeq: Number, apps: [appDaySchema] },
  { collection: 'audit_daily_stats', versionKey: false },
);
export const AuditDailyStatsModel = model('AuditDailyStats', dailyStatsSchema);

/**
 * Sealed blocks of events (audit-blocks.ts): block n holds events n x 500 + 1 to (n + 1) x 500
 * as one JSON text, with a MAC over it, so exports read 500 events per lookup.
 */
const eventBlockSchema = new Schema(
  { _id: String, events: String, mac: String },
  { collection: 'audit_event_blocks', versionKey: false },
);
export const AuditEventBlockModel = model('AuditEventBlock', eventBlockSchema);

/** How far the indexer has got (`progress`), and the block writer (`blocks`: through, and the hash there). */
const indexStateSchema = new Schema(
  { _id: String, indexedThrough: Number, blockedThrough: Number, lastHash: String, updatedAt: Date },
  { collection: 'audit_index_state', versionKey: false },
);
export const AuditIndexStateModel = model('AuditIndexState', indexStateSchema);
