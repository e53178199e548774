import { claim } from '../db/primary-key.js';
import { PerformanceMinuteModel } from './performance.model.js';

/** Counts of one class in one minute: calls by outcome, and the latency histogram of all of them. */
export interface ClassMinute {
  ok: number;
  clientError: number;
  serverError: number;
  latency: number[];
}

export interface PerformanceMinute {
  _id: string;
  minute: Date;
  classes: Record<string, ClassMinute>;
}

/** Written once per process and minute (docs/storage.md, "claim once"): a replay is a no-op. */
export async function recordMinute(minute: PerformanceMinute): Promise<void> {
  await claim(PerformanceMinuteModel, { ...minute });
}

/**
 * Every minute recorded in [from, to). A scan with a range filter: on MongoDB an index on
 * `minute` answers it; on the embedded engine it reads the collection (a report, not a hot path).
 */
export async function minutesBetween(from: Date, to: Date): Promise<PerformanceMinute[]> {
  return (await PerformanceMinuteModel.find({
    minute: { $gte: from, $lt: to },
  }).lean()) as PerformanceMinute[];
}
