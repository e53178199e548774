import { claim } from '../db/primary-key.js';
import { TooManyRequestsError } from '../errors.js';
import { SigninThrottleModel } from './signin-throttle.model.js';

export interface ThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowMinutes: number;
}

const accountKey = (email: string) => `account:${email}`;
const ipKey = (ip: string) => `ip:${ip}`;

interface Window {
  id: number;
  startedAt: Date;
  endsAt: Date;
}

function windowAt(now: Date, minutes: number): Window {
  const length = minutes * 60_000;
  const id = Math.floor(now.getTime() / length);
  return { id, startedAt: new Date(id * length), endsAt: new Date((id + 1) * length) };
}

const slotId = (key: string, window: Window, slot: number) => `${key}#${window.id}#${slot}`;

/** Refuses the attempt, before any password is checked, while the account or the IP is over its limit. */
export async function assertSigninAllowed(
  email: string,
  ip: string,
  limits: ThrottleLimits,
  now = new Date(),
) {
  const window = windowAt(now, limits.windowMinutes);
  const [accountFull, ipFull] = await Promise.all([
    SigninThrottleModel.exists({ _id: slotId(accountKey(email), window, limits.maxFailuresPerAccount) }),
    SigninThrottleModel.exists({ _id: slotId(ipKey(ip), window, limits.maxFailuresPerIp) }),
  ]);
  if (accountFull || ipFull) {
    const retryAfterSeconds = Math.max(1, Math.ceil((window.endsAt.getTime() - now.getTime()) / 1000));
    throw new TooManyRequestsError(
      `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
      retryAfterSeconds,
    );
  }
}

export async function recordSigninFailure(
  email: string,
  ip: string,
  limits: ThrottleLimits,
  now = new Date(),
) {
  const window = windowAt(now, limits.windowMinutes);
  await Promise.all([
    claimNextSlot(accountKey(email), window, limits.maxFailuresPerAccount),
    claimNextSlot(ipKey(ip), window, limits.maxFailuresPerIp),
  ]);
}

/** A successful sign-in clears the account's failures in this window; the IP's keep counting. */
export async function recordSigninSuccess(email: string, limits: ThrottleLimits, now = new Date()) {
  const window = windowAt(now, limits.windowMinutes);
  const ids = Array.from({ length: limits.maxFailuresPerAccount }, (_, i) =>
    slotId(accountKey(email), window, i + 1),
  );
  await Promise.all(ids.map((_id) => SigninThrottleModel.deleteOne({ _id })));
}

export async function sweepSigninThrottles(windowMinutes: number, now = new Date()) {
  await SigninThrottleModel.deleteMany({ windowStartedAt: { $lt: windowAt(now, windowMinutes).startedAt } });
}

/**
 * Slots fill contiguously from 1, so the first free one is found by binary search over
 * primary-key lookups, then claimed by insert; a lost race moves on to the next slot.
 */
async function claimNextSlot(key: string, window: Window, max: number) {
  let filled = 0;
  let free = max + 1;
  while (free - filled > 1) {
    const middle = Math.floor((filled + free) / 2);
    if (await SigninThrottleModel.exists({ _id: slotId(key, window, middle) })) filled = middle;
    else free = middle;
  }
  for (let slot = filled + 1; slot <= max; slot++) {
    if (
      await claim(SigninThrottleModel as never, {
        _id: slotId(key, window, slot),
        windowStartedAt: window.startedAt,
      })
    ) {
      return;
    }
  }
}
