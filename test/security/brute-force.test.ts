import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { buildTestApp, uniqueIp } from '../helpers/app.js';
import { createPerson, uniqueEmail, type TestPerson } from '../helpers/factories.js';
import { csrfFrom } from '../helpers/agent.js';

/** One sign-in attempt from `ip` in a fresh session. */
async function attempt(app: Express, ip: string, email: string, password: string) {
  const agent = request.agent(app).set('X-Forwarded-For', ip);
  const page = await agent.get('/signin');
  const csrf = csrfFrom(page.text);
  const res = await agent.post('/signin').type('form').send({ _csrf: csrf, email, password });
  return res.status;
}

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

describe('sign-in brute force is throttled', function () {
  this.timeout(60_000);

  it('spraying one wrong password over many real accounts from one IP stops at the IP limit, for every account', async () => {
    const app = buildTestApp({ SIGNIN_MAX_FAILURES_PER_IP: '4' });
    const people: TestPerson[] = await Promise.all(Array.from({ length: 6 }, () => createPerson('customer')));
    const ip = uniqueIp();
    const statuses = [];
    for (const person of people.slice(0, 5))
      statuses.push(await attempt(app, ip, person.email, 'Winter2026!'));
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
    // No account reached its own limit, yet the IP is refused even with a right password...
    assert.equal(await attempt(app, ip, people[5]!.email, people[5]!.password), 429);
    // ...while the same account signs in from elsewhere.
    assert.equal(await attempt(app, uniqueIp(), people[5]!.email, people[5]!.password), 303);
  });

  it('a successful sign-in does not clear the IP’s failures', async () => {
    const app = buildTestApp({ SIGNIN_MAX_FAILURES_PER_IP: '3' });
    const person = await createPerson('customer');
    const ip = uniqueIp();
    assert.equal(await attempt(app, ip, uniqueEmail(), 'x'), 401);
    assert.equal(await attempt(app, ip, uniqueEmail(), 'x'), 401);
    assert.equal(await attempt(app, ip, person.email, person.password), 303);
    assert.equal(await attempt(app, ip, uniqueEmail(), 'x'), 401);
    assert.equal(await attempt(app, ip, person.email, person.password), 429);
  });

  it('variants of one email in upper and lower case count against the same account', async () => {
    const app = buildTestApp();
    const person = await createPerson('customer');
    const variants = [
      person.email,
      person.email.toUpperCase(),
      `${person.email[0]!.toUpperCase()}${person.email.slice(1)}`,
      person.email.replace(/@.*/, (domain) => domain.toUpperCase()),
      person.email.replace(/[a-z]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)),
    ];
    const statuses = [];
    for (const email of variants) statuses.push(await attempt(app, uniqueIp(), email, 'wrong'));
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    assert.equal(await attempt(app, uniqueIp(), person.email, person.password), 429);
  });

  it('an unknown email is throttled exactly like a real one, so throttling reveals no accounts', async () => {
    const app = buildTestApp();
    const person = await createPerson('customer');
    const nobody = uniqueEmail('nobody');
    const known = [];
    const unknown = [];
    for (let i = 0; i < 6; i++) {
      known.push(await attempt(app, uniqueIp(), person.email, 'wrong'));
      unknown.push(await attempt(app, uniqueIp(), nobody, 'wrong'));
    }
    assert.deepEqual(known, [401, 401, 401, 401, 401, 429]);
    assert.deepEqual(unknown, known);
  });

  it('parallel guesses cannot outrun the limit: 20 at once on one account get at most 5 password checks', async () => {
    const app = buildTestApp();
    const person = await createPerson('customer');
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt(app, uniqueIp(), person.email, `guess-${i}`)),
    );
    const counts = tally(statuses);
    assert.ok((counts[401] ?? 0) <= 5, JSON.stringify(counts));
    assert.equal((counts[401] ?? 0) + (counts[429] ?? 0), 20, JSON.stringify(counts));
    assert.equal(await attempt(app, uniqueIp(), person.email, person.password), 429);
  });

  it('parallel guesses cannot outrun the per-IP limit either', async () => {
    const app = buildTestApp({ SIGNIN_MAX_FAILURES_PER_IP: '5' });
    const ip = uniqueIp();
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => attempt(app, ip, uniqueEmail(), 'x')),
    );
    const counts = tally(statuses);
    assert.ok((counts[401] ?? 0) <= 5, JSON.stringify(counts));
    assert.equal((counts[401] ?? 0) + (counts[429] ?? 0), 20, JSON.stringify(counts));
  });
});
