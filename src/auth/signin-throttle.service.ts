import { TooManyRequestsError } from '../errors.js';
import {
  claimNextSlot,
  clearSlots,
  countTaken,
  giveBackSlot,
  removeWindowsBefore,
  slotId,
  type Window,
} from './signin-throttle.repository.js';

export interface ThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowMinutes: number;
}

const accountKey = (email: string) => `account:${email}`;
const ipKey = (ip: string) => `ip:${ip}`;

function windowAt(now: Date, minutes: number): Window {
  const length = minutes * 60_000;
  const id = Math.floor(now.getTime() / length);
  return { id, startedAt: new Date(id * length), endsAt: new Date((id + 1) * length) };
}

const previousOf = (window: Window): Window => {
  const length = window.endsAt.getTime() - window.startedAt.getTime();
  return {
    id: window.id - 1,
    startedAt: new Date(window.startedAt.getTime() - length),
    endsAt: window.startedAt,
  };
};

export interface SigninAttempt {
  /** The password was right: the account's failures are cleared, and this attempt leaves the IP's count. */
  succeeded(): Promise<void>;
}

/**
 * Takes this attempt's place in the account's and the IP's counts before any password is
 * checked, and refuses it (429) when either count is full. Counting first means guesses sent
 * in parallel cannot all pass a check made before any of them had failed. A failed attempt
 * keeps its places; a refused one gives back any it took.
 *
 * Failures are kept in fixed windows, but a count covers the current window and the one
 * before it: a window's places are what the previous window left unused. Any span of one
 * window's length lies within two consecutive windows, so it never holds more failures than
 * the limit, even for guesses timed around a window's end (a lone fixed window would let
 * twice the limit through there).
 */
export async function reserveSigninAttempt(
  email: string,
  ip: string,
  limits: ThrottleLimits,
  now = new Date(),
): Promise<SigninAttempt> {
  const window = windowAt(now, limits.windowMinutes);
  const previous = previousOf(window);
  const account = accountKey(email);
  const client = ipKey(ip);
  const [accountBefore, ipBefore] = await Promise.all([
    countTaken(account, previous, limits.maxFailuresPerAccount),
    countTaken(client, previous, limits.maxFailuresPerIp),
  ]);
  const [accountSlot, ipSlot] = await Promise.all([
    claimNextSlot(account, window, limits.maxFailuresPerAccount - accountBefore),
    claimNextSlot(client, window, limits.maxFailuresPerIp - ipBefore),
  ]);

  if (accountSlot === undefined || ipSlot === undefined) {
    await Promise.all([
      accountSlot !== undefined && giveBackSlot(account, window, limits.maxFailuresPerAccount),
      ipSlot !== undefined && giveBackSlot(client, window, limits.maxFailuresPerIp),
    ]);
    const [accountNow, ipNow] = await Promise.all([
      countTaken(account, window, limits.maxFailuresPerAccount),
      countTaken(client, window, limits.maxFailuresPerIp),
    ]);
    // Once this window ends only its own failures still count; if they alone fill a
    // count, the refusal lasts until the next window ends too.
    const fullOnItsOwn = accountNow >= limits.maxFailuresPerAccount || ipNow >= limits.maxFailuresPerIp;
    const clearsAt = fullOnItsOwn ? windowAt(window.endsAt, limits.windowMinutes).endsAt : window.endsAt;
    const retryAfterSeconds = Math.max(1, Math.ceil((clearsAt.getTime() - now.getTime()) / 1000));
    throw new TooManyRequestsError(
      `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
      retryAfterSeconds,
    );
  }
  return {
    async succeeded() {
      const ids = [
        ...Array.from({ length: accountBefore }, (_, i) => slotId(account, previous, i + 1)),
        ...Array.from({ length: limits.maxFailuresPerAccount }, (_, i) => slotId(account, window, i + 1)),
      ];
      await Promise.all([clearSlots(ids), giveBackSlot(client, window, limits.maxFailuresPerIp)]);
    },
  };
}

/** Removes failures too old to count: those before the previous window. */
export async function sweepSigninThrottles(windowMinutes: number, now = new Date()) {
  const previous = previousOf(windowAt(now, windowMinutes));
  await removeWindowsBefore(previous.startedAt);
}
