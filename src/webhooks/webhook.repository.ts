import { Lease } from '../db/lease.js';
import { WebhookDeliveryModel, WebhookQueueModel, type WebhookDeliveryRecord } from './webhook.model.js';

/**
 * Notices to apps: one delivery document each, kept as the record of every attempt, and a
 * small queue of those still to attempt, read whole by the worker (docs/storage.md,
 * "small queues"). A delivery is updated only by the worker attempting it.
 */

type NewDelivery = Omit<WebhookDeliveryRecord, 'attempts' | 'jws'>;
interface Attempt {
  at?: Date | null;
  status?: number | null;
  error?: string | null;
}

/** Queues a notice. Resolves false when one with this id is already queued (a follow-up carried out twice). */
export async function queueDelivery(delivery: NewDelivery, at: Date): Promise<boolean> {
  try {
    await WebhookDeliveryModel.create(delivery);
  } catch (error) {
    if ((error as { code?: number }).code === 11000) return false;
    throw error;
  }
  await WebhookQueueModel.create({ _id: delivery._id, nextAttemptAt: at });
  return true;
}

export async function dueDeliveryIds(now: Date, limit: number): Promise<string[]> {
  const due = await WebhookQueueModel.find({ nextAttemptAt: { $lte: now } }).lean();
  return due.slice(0, limit).map((item) => item._id);
}

export async function findDelivery(id: string): Promise<WebhookDeliveryRecord | undefined> {
  return ((await WebhookDeliveryModel.findById(id).lean()) as WebhookDeliveryRecord | null) ?? undefined;
}

export async function recordAttempts(
  id: string,
  attempts: Attempt[],
  status: 'pending' | 'delivered' | 'failed',
): Promise<void> {
  await WebhookDeliveryModel.updateOne({ _id: id }, { $set: { attempts, status } });
}

export async function dequeue(id: string): Promise<void> {
  await WebhookQueueModel.deleteOne({ _id: id });
}

export async function retryAt(id: string, at: Date): Promise<void> {
  await WebhookQueueModel.updateOne({ _id: id }, { $set: { nextAttemptAt: at } });
}

/** One process at a time delivers notices (attempts time out after 5 s, so 6 s of margin). */
export function deliveryWorkerLease(now: () => number): Lease {
  return new Lease('webhook-worker', 30_000, 6_000, now);
}
