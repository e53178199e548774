import type { Document, OptionalId } from 'mongodb';
import { isDuplicateKey } from '../db/primary-key.js';
import type { AuditInput } from './audit-event.js';
import { ReceiptModel, SealPassModel, StagedBatchModel } from './audit-staged.model.js';

export interface StagedBatch {
  _id: string;
  createdAt: Date;
  inputs: AuditInput[];
}

export interface SealPass {
  _id: string;
  at: Date;
  afterSeq: number;
  batchIds: string[];
}

/** Where each event of a sealed batch went, in the batch's order. */
export interface Receipt {
  _id: string;
  events: { seq: number; at: Date; prevHash: string; hash: string }[];
}

/**
 * The audit log's staging area (docs/storage.md). Every document is written once, never
 * updated: a batch by its process, a pass and its receipts by the holder. The holder
 * removes them, many in one operation: batches as soon as they are sealed (so that the
 * batches read whole are only those waiting), receipts and passes after half a minute
 * (their processes collect receipts within milliseconds).
 */
export async function stageBatch(id: string, inputs: AuditInput[]) {
  await StagedBatchModel.create({ _id: id, createdAt: new Date(), inputs: JSON.stringify(inputs) });
}

/**
 * The ids of batches waiting to be sealed, oldest first. They wait milliseconds, so the
 * collection is small and read whole, without the events.
 */
export async function stagedBatchIds(): Promise<{ _id: string; createdAt: Date }[]> {
  const batches = await StagedBatchModel.find({}, { _id: 1, createdAt: 1 }).lean();
  return batches.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.localeCompare(b._id));
}

/** The batches with these ids, in order; one removed meanwhile is left out. */
export async function readBatches(ids: string[]): Promise<StagedBatch[]> {
  const batches = await Promise.all(ids.map((id) => StagedBatchModel.findById(id).lean()));
  return batches
    .filter((b) => b !== null)
    .map((b) => ({ _id: b._id, createdAt: b.createdAt, inputs: JSON.parse(b.inputs) as AuditInput[] }));
}

/** Removes sealed batches, many in one operation (one write where each removal would be its own). */
export async function removeBatches(ids: string[]) {
  if (ids.length > 0) await StagedBatchModel.deleteMany({ _id: { $in: ids } });
}

export async function openPass(pass: SealPass) {
  await SealPassModel.create(pass);
}

/** The passes of the last half minute (older ones are removed), to find where a stopped pass wrote. */
export async function recentPasses(): Promise<SealPass[]> {
  return (await SealPassModel.find({}).lean()) as SealPass[];
}

/** Writes receipts; one already written (by a holder that stopped after writing it) stands. */
export async function writeReceipts(receipts: Receipt[]) {
  if (receipts.length === 0) return;
  const docs = receipts.map((r) => ({
    _id: r._id,
    createdAt: new Date(),
    events: JSON.stringify(r.events.map((e) => [e.seq, e.at.getTime(), e.prevHash, e.hash])),
  }));
  try {
    // The driver types `_id` as an ObjectId; a receipt's `_id` is its batch's id.
    await ReceiptModel.collection.insertMany(docs as unknown as OptionalId<Document>[], { ordered: false });
  } catch (error) {
    const writeErrors = (error as { writeErrors?: { code?: number }[] }).writeErrors;
    const onlyDuplicates =
      isDuplicateKey(error) || (!!writeErrors?.length && writeErrors.every((e) => e.code === 11000));
    if (!onlyDuplicates) throw error;
  }
}

export async function readReceipt(batchId: string): Promise<Receipt | null> {
  const receipt = await ReceiptModel.findById(batchId).lean();
  if (!receipt) return null;
  const events = JSON.parse(receipt.events) as [number, number, string, string][];
  return {
    _id: receipt._id,
    events: events.map(([seq, at, prevHash, hash]) => ({ seq, at: new Date(at), prevHash, hash })),
  };
}

/** Removes receipts and passes older than `before`, each kind in one operation. */
export async function removeSealingRecordsBefore(before: Date) {
  await ReceiptModel.deleteMany({ createdAt: { $lt: before } });
  await SealPassModel.deleteMany({ at: { $lt: before } });
}
