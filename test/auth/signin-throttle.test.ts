import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { reserveSigninAttempt, sweepSigninThrottles } from '../../src/auth/signin-throttle.service.js';
import { TooManyRequestsError } from '../../src/errors.js';

const limits = { maxFailuresPerAccount: 5, maxFailuresPerIp: 8, windowMinutes: 15 };
const windowMs = limits.windowMinutes * 60_000;
/** A window boundary far from the real clock, so these tests own their windows. */
const boundary = Math.floor(Date.UTC(2031, 0, 1) / windowMs) * windowMs;
const at = (offsetMs: number) => new Date(boundary + offsetMs);

/** One attempt that fails its password check: 'failed', or the refusal's Retry-After. */
async function fail(email: string, ip: string, now: Date): Promise<'failed' | number> {
  try {
    await reserveSigninAttempt(email, ip, limits, now);
    return 'failed';
  } catch (error) {
    if (error instanceof TooManyRequestsError) return error.retryAfterSeconds;
    throw error;
  }
}

describe('sign-in throttle windows', () => {
  it('failures just before a window ends still count just after it: no more than the limit in any window-long span', async () => {
    const email = `${randomUUID()}@example.test`;
    const outcomes = [];
    for (const offset of [-3000, -2000, -1000]) outcomes.push(await fail(email, randomUUID(), at(offset)));
    for (const offset of [1000, 2000, 3000]) outcomes.push(await fail(email, randomUUID(), at(offset)));
    assert.deepEqual(outcomes.slice(0, 5), ['failed', 'failed', 'failed', 'failed', 'failed']);
    // Refused until the window holding the first three failures has passed.
    assert.equal(outcomes[5], windowMs / 1000 - 3);
    assert.equal(await fail(email, randomUUID(), at(windowMs - 1000)), 1);
    // One window later only the two recent failures count: three places are free.
    const later = [];
    for (let i = 0; i < 4; i++) later.push(await fail(email, randomUUID(), at(windowMs + 1000)));
    assert.deepEqual(later.slice(0, 3), ['failed', 'failed', 'failed']);
    assert.equal(typeof later[3], 'number');
  });

  it('a window full on its own tells the client to wait until the next window ends', async () => {
    const email = `${randomUUID()}@example.test`;
    for (let i = 0; i < 5; i++) assert.equal(await fail(email, randomUUID(), at(60_000)), 'failed');
    assert.equal(await fail(email, randomUUID(), at(60_000)), (2 * windowMs - 60_000) / 1000);
  });

  it('per-IP failures straddling a boundary are held to the IP limit as well', async () => {
    const ip = randomUUID();
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await fail(`${randomUUID()}@example.test`, ip, at(-500)));
    for (let i = 0; i < 4; i++) outcomes.push(await fail(`${randomUUID()}@example.test`, ip, at(500)));
    assert.equal(outcomes.filter((o) => o === 'failed').length, limits.maxFailuresPerIp);
  });

  it('a success clears the account in both windows, and gives its IP place back without leaving a gap', async () => {
    const email = `${randomUUID()}@example.test`;
    const ip = randomUUID();
    for (let i = 0; i < 3; i++) assert.equal(await fail(email, ip, at(-1000)), 'failed');
    assert.equal(await fail(email, ip, at(1000)), 'failed');
    const attempt = await reserveSigninAttempt(email, ip, limits, at(2000));
    await attempt.succeeded();
    // The account starts afresh: five more failures before a refusal.
    const after = [];
    for (let i = 0; i < 6; i++) after.push(await fail(email, randomUUID(), at(3000)));
    assert.deepEqual(after.slice(0, 5), ['failed', 'failed', 'failed', 'failed', 'failed']);
    assert.equal(typeof after[5], 'number');
    // The IP kept its 4 failures (3 + 1) and got the success's place back: 4 more, then refused.
    const fromIp = [];
    for (let i = 0; i < 5; i++) fromIp.push(await fail(`${randomUUID()}@example.test`, ip, at(4000)));
    assert.deepEqual(fromIp.slice(0, 4), ['failed', 'failed', 'failed', 'failed']);
    assert.equal(typeof fromIp[4], 'number');
  });

  it('the sweep keeps the previous window, which still counts, and removes older ones', async () => {
    const email = `${randomUUID()}@example.test`;
    for (let i = 0; i < 5; i++) assert.equal(await fail(email, randomUUID(), at(-1000)), 'failed');
    await sweepSigninThrottles(limits.windowMinutes, at(1000));
    assert.equal(typeof (await fail(email, randomUUID(), at(2000))), 'number');
    await sweepSigninThrottles(limits.windowMinutes, at(windowMs + 1000));
    assert.equal(await fail(email, randomUUID(), at(windowMs + 2000)), 'failed');
  });
});
