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

export interface SigninAttempt {
  /** The password was right: the account's failures in this window are cleared, and this attempt leaves the IP's count. */
  succeeded(): Promise<void>;
}

/**
 * Takes this attempt's place in the account's and the IP's counts of this window before any
 * password is checked, and refuses it (429) when either count is full. Counting first means
 * guesses sent in parallel cannot all pass a check made before any of them had failed. A
 * failed attempt keeps its places; a refused one gives back any it took.
 */
export async function reserveSigninAttempt(
  email: string,
  ip: string,
  limits: ThrottleLimits,
  now = new Date(),
): Promise<SigninAttempt> {
  const window = windowAt(now, limits.windowMinutes);
  const account = accountKey(email);
  const client = ipKey(ip);
  const [accountSlot, ipSlot] = await Promise.all([
    claimNextSlot(account, window, limits.maxFailuresPerAccount),
    claimNextSlot(client, window, limits.maxFailuresPerIp),
  ]);
  const release = (key: string, slot: number | undefined) =>
    slot === undefined ? undefined : SigninThrottleModel.deleteOne({ _id: slotId(key, window, slot) });

  if (accountSlot === undefined || ipSlot === undefined) {
    await Promise.all([release(account, accountSlot), release(client, ipSlot)]);
    const retryAfterSeconds = Math.max(1, Math.ceil((window.endsAt.getTime() - now.getTime()) / 1000));
    throw new TooManyRequestsError(
      `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
      retryAfterSeconds,
    );
  }
  return {
    async succeeded() {
      const ids = Array.from({ length: limits.maxFailuresPerAccount }, (_, i) =>
        slotId(account, window, i + 1),
      );
      await Promise.all([
        ...ids.map((_id) => SigninThrottleModel.deleteOne({ _id })),
        release(client, ipSlot),
      ]);
    },
  };
}

export async function sweepSigninThrottles(windowMinutes: number, now = new Date()) {
  await SigninThrottleModel.deleteMany({ windowStartedAt: { $lt: windowAt(now, windowMinutes).startedAt } });
}

/**
 * Slots fill from 1, so the first free one is found by binary search over primary-key
 * lookups, then claimed by insert; a lost race moves on to the next slot. Answers the slot
 * claimed, or undefined when all `max` are taken. (A slot given back below taken ones is
 * not always found again this window: the count then runs out a little early, never late.)
 */
async function claimNextSlot(key: string, window: Window, max: number): Promise<number | undefined> {
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
      return slot;
    }
  }
  return undefined;
}
