import { Schema, model } from 'mongoose';

/**
 * Derived look-up structures for compliance queries, built from the events by the
 * indexer (audit-indexer.ts) and rebuildable from them at any time. They are not the
 * audit record: the events are. Everything is read by `_id`, so a filtered page costs
 * the same at a thousand events as at ten million.
 */

/** The sequence numbers of events with one key (e.g. `app=xyz`) within one bucket of 10,000 sequence numbers. */
const postingSchema = new Schema(
  { _id: String, key: String, bucket: Number, seqs: [Number] },
  { collection: 'audit_postings', versionKey: false },
);
export const AuditPostingModel = model('AuditPosting', postingSchema);

/** Which buckets hold postings for a key, ascending. */
const postingDirSchema = new Schema(
  { _id: String, buckets: [Number] },
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

/** How far the indexer has got, and the leases that make it a single writer. */
const indexStateSchema = new Schema(
  { _id: String, indexedThrough: Number, updatedAt: Date },
  { collection: 'audit_index_state', versionKey: false },
);
export const AuditIndexStateModel = model('AuditIndexState', indexStateSchema);

const leaseSchema = new Schema(
  { _id: String, owner: String, expiresAt: Date },
  { collection: 'audit_index_leases', versionKey: false },
);
export const AuditIndexLeaseModel = model('AuditIndexLease', leaseSchema);

export const postingBucketSize = 10_000;

export function postingId(key: string, bucket: number): string {
  return `${key}#${bucket}`;
}
