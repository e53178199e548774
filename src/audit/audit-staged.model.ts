import { Schema, model } from 'mongoose';

/**
 * The audit log's staging area (see audit-writer.ts). A process that does not hold the
 * writer's lease stages each batch of events as one document, `<writer>#<n>`, for the
 * holder to seal into the chain.
 */
const stagedBatchSchema = new Schema(
  {
    _id: { type: String, required: true },
    createdAt: { type: Date, required: true },
    /** The events' inputs as JSON text: the embedded database stores one string far faster than nested documents. */
    inputs: { type: String, required: true },
  },
  { collection: 'audit_staged_batches', versionKey: false },
);

/**
 * A sealing pass the holder has begun: the batches it takes, the time it stamps their
 * events with and the chain head before them. Removed when the pass is done; one left
 * behind by a holder that stopped tells the next holder where to look.
 */
const sealPassSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    afterSeq: { type: Number, required: true },
    batchIds: { type: [String], required: true },
  },
  { collection: 'audit_seal_passes', versionKey: false },
);

/** Where each event of a sealed batch went, keyed by the batch's id, for its process to collect. */
const receiptSchema = new Schema(
  {
    _id: { type: String, required: true },
    createdAt: { type: Date, required: true },
    /** `[seq, at (ms), prevHash, hash]` per event, as JSON text. */
    events: { type: String, required: true },
  },
  { collection: 'audit_seal_receipts', versionKey: false },
);

export const StagedBatchModel = model('AuditStagedBatch', stagedBatchSchema);
export const SealPassModel = model('AuditSealPass', sealPassSchema);
export const ReceiptModel = model('AuditSealReceipt', receiptSchema);
