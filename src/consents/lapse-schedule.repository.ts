import { Lease } from '../db/lease.js';
import { endOfRun, findManyById, takeSlot } from '../db/primary-key.js';
import { LapseScheduleModel } from './lapse-schedule.model.js';

/**
 * The consents to look at in each minute, found without a scan (docs/storage.md, "numbered
 * slots"): a consent due at 09:49:12 takes the next slot of minute 09:49. A process
 * remembers the highest slot it has seen taken in each minute, so scheduling is usually
 * one insert. The sweeper's progress has one writer, the holder of its lease.
 */

const minuteMs = 60_000;
export const minuteOf = (at: Date) => Math.floor(at.getTime() / minuteMs);
const slotId = (minute: number, n: number) => `${minute}#${n}`;
const slotTaken = (minute: number) => async (n: number) =>
  (await LapseScheduleModel.exists({ _id: slotId(minute, n) })) !== null;

const seenTaken = new Map<number, number>();

export async function scheduleLapseCheck(consentId: string, at: Date): Promise<void> {
  const minute = minuteOf(at);
  if (seenTaken.size > 10_000) seenTaken.clear();
  const from = await endOfRun(slotTaken(minute), seenTaken.get(minute) ?? 0);
  const taken = await takeSlot(LapseScheduleModel, (n) => slotId(minute, n), { consentId }, { from });
  seenTaken.set(minute, taken!);
}

/** The consents scheduled in a minute. */
export async function consentsDueIn(minute: number): Promise<string[]> {
  const count = await endOfRun(slotTaken(minute));
  const slots = await findManyById(
    Array.from({ length: count }, (_, i) => slotId(minute, i + 1)),
    (id) => LapseScheduleModel.findById(id).lean(),
  );
  return slots.map((slot) => slot.consentId!);
}

/** The last minute the sweeper has finished, if it ever ran. */
export async function sweptThrough(): Promise<number | undefined> {
  return (await LapseScheduleModel.findById('progress').lean())?.throughMinute ?? undefined;
}

export async function markSweptThrough(minute: number): Promise<void> {
  await LapseScheduleModel.updateOne(
    { _id: 'progress' },
    { $set: { throughMinute: minute } },
    { upsert: true },
  );
}

/** Removes a swept minute's slots, by primary key. */
export async function forgetMinute(minute: number): Promise<void> {
  const count = await endOfRun(slotTaken(minute));
  await Promise.all(
    Array.from({ length: count }, (_, i) => LapseScheduleModel.deleteOne({ _id: slotId(minute, i + 1) })),
  );
}

export function sweeperLease(now: () => number): Lease {
  return new Lease('consent-lapse-sweeper', 60_000, 15_000, now);
}
