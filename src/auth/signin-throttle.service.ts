import { TooManyRequestsError } from '../errors.js';
import { SigninThrottleModel } from './signin-throttle.model.js';

export interface ThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowMinutes: number;
}

const accountKey = (email: string) => `account:${email}`;
const ipKey = (ip: string) => `ip:${ip}`;

/** Refuses the attempt, before any password is checked, while either counter is over its limit. */
export async function assertSigninAllowed(
  email: string,
  ip: string,
  limits: ThrottleLimits,
  now = new Date(),
) {
  const windowStart = new Date(now.getTime() - limits.windowMinutes * 60_000);
  const counters = await SigninThrottleModel.find({
    _id: { $in: [accountKey(email), ipKey(ip)] },
    windowStartedAt: { $gt: windowStart },
  }).lean();
  for (const counter of counters) {
    const max = counter._id.startsWith('account:') ? limits.maxFailuresPerAccount : limits.maxFailuresPerIp;
    if (counter.failures >= max) {
      const retryAfterMs = counter.windowStartedAt.getTime() + limits.windowMinutes * 60_000 - now.getTime();
      const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      throw new TooManyRequestsError(
        `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
        retryAfterSeconds,
      );
    }
  }
}

export async function recordSigninFailure(
  email: string,
  ip: string,
  limits: ThrottleLimits,
  now = new Date(),
) {
  await Promise.all([bump(accountKey(email), limits, now), bump(ipKey(ip), limits, now)]);
}

/** A successful sign-in clears the account's counter; the IP's counter keeps running. */
export async function recordSigninSuccess(email: string) {
  await SigninThrottleModel.deleteOne({ _id: accountKey(email) });
}

export async function sweepSigninThrottles(windowMinutes: number, now = new Date()) {
  const windowStart = new Date(now.getTime() - windowMinutes * 60_000);
  await SigninThrottleModel.deleteMany({ windowStartedAt: { $lte: windowStart } });
}

/**
 * Counts one failure atomically: increments a live window, restarts an expired one, or
 * creates the counter. Two processes racing to create it collide on the unique _id, and
 * the loser retries as an increment, so no failure goes uncounted.
 */
async function bump(key: string, limits: ThrottleLimits, now: Date) {
  const windowStart = new Date(now.getTime() - limits.windowMinutes * 60_000);
  for (let attempt = 0; attempt < 3; attempt++) {
    const live = await SigninThrottleModel.updateOne(
      { _id: key, windowStartedAt: { $gt: windowStart } },
      { $inc: { failures: 1 } },
    );
    if (live.matchedCount > 0) return;
    const expired = await SigninThrottleModel.updateOne(
      { _id: key, windowStartedAt: { $lte: windowStart } },
      { $set: { failures: 1, windowStartedAt: now } },
    );
    if (expired.matchedCount > 0) return;
    try {
      await SigninThrottleModel.create({ _id: key, failures: 1, windowStartedAt: now });
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
    }
  }
}
