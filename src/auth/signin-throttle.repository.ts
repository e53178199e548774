import { endOfRun, takeSlot } from '../db/primary-key.js';
import { SigninThrottleModel } from './signin-throttle.model.js';

/**
 * Failed sign-ins as numbered slots `<key>#<window>#<n>` (docs/storage.md, "numbered
 * slots"): taken by insert, so attempts racing in several processes are all counted.
 */

export interface Window {
  id: number;
  startedAt: Date;
  endsAt: Date;
}

export const slotId = (key: string, window: Window, slot: number) => `${key}#${window.id}#${slot}`;

/**
 * How many of a window's slots are taken. Slots are taken from 1 upwards and given back
 * from the top, so they form a run 1..n, found by galloping then halving over primary-key
 * lookups: one lookup when the run is empty, the common case. (Slots given back by racing
 * attempts can leave a gap; the run then reads short until the next claim fills it.)
 */
export async function countTaken(key: string, window: Window, max: number): Promise<number> {
  const taken = async (slot: number) =>
    (await SigninThrottleModel.exists({ _id: slotId(key, window, slot) })) !== null;
  return endOfRun(taken, 0, max);
}

/**
 * Claims the first free slot of the window by insert; a lost race moves on to the next
 * slot. Answers the slot claimed, or undefined when all `max` are taken.
 */
export async function claimNextSlot(key: string, window: Window, max: number): Promise<number | undefined> {
  if (max <= 0) return undefined;
  return takeSlot(
    SigninThrottleModel,
    (slot) => slotId(key, window, slot),
    { windowStartedAt: window.startedAt },
    { from: await countTaken(key, window, max), max },
  );
}

/**
 * Gives one place back by removing the top slot rather than the one this attempt took:
 * slots only count, they belong to no attempt, and removing from the top keeps the run
 * without gaps so the count stays exact (a later window depends on it).
 */
export async function giveBackSlot(key: string, window: Window, max: number): Promise<void> {
  for (let tries = 0; tries < 3; tries++) {
    const top = await countTaken(key, window, max);
    if (top === 0) return;
    const { deletedCount } = await SigninThrottleModel.deleteOne({ _id: slotId(key, window, top) });
    if (deletedCount > 0) return;
  }
}

export async function clearSlots(ids: readonly string[]): Promise<void> {
  await Promise.all(ids.map((_id) => SigninThrottleModel.deleteOne({ _id })));
}

/** Removes whole windows that no longer count. */
export async function removeWindowsBefore(startedAt: Date): Promise<void> {
  await SigninThrottleModel.deleteMany({ windowStartedAt: { $lt: startedAt } });
}
