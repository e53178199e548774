import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { bucketOf } from '../../src/performance/latency-histogram.js';
import { performanceReport, type PerformanceReport } from '../../src/performance/performance-report.js';
import { recordMinute } from '../../src/performance/performance.repository.js';
import { signedInAgent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';
import { connectedApp, consentsUrl, readData, startOAuthServer } from '../helpers/oauth-client.js';
import * as client from 'openid-client';

const histogram = (latencies: number[]) => {
  const counts: number[] = [];
  for (const ms of latencies) counts[bucketOf(ms)] = (counts[bucketOf(ms)] ?? 0) + 1;
  return Array.from(counts, (n) => n ?? 0);
};

describe('developer interface performance report', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('adds up each process’s minutes into monthly availability and per-class latency', async () => {
    // Eleven months ago: a month no other test writes to.
    const now = new Date();
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 10, 12));
    const key = month.toISOString().slice(0, 7);
    const consent = {
      ok: 990,
      clientError: 5,
      serverError: 5,
      latency: histogram([...Array(1000).keys()].map((i) => (i < 950 ? 100 : 1200))),
    };
    const reads = { ok: 40, clientError: 0, serverError: 0, latency: histogram(Array(40).fill(20)) };
    await recordMinute({
      _id: `${month.toISOString()}#${randomUUID()}#1`,
      minute: month,
      classes: { consent },
    });
    await recordMinute({
      _id: `${month.toISOString()}#${randomUUID()}#1`,
      minute: new Date(month.getTime() + 60_000),
      classes: { customerPresent: reads },
    });
    const report = await performanceReport(now);
    assert.equal(report.months.length, 13);
    const m = report.months.find((x) => x.month === key)!;
    assert.deepEqual([m.calls, m.serverErrors, m.properlyAnswered], [1040, 5, 1035]);
    assert.equal(m.classes.consent.availability, 0.995, 'exactly the 99.5% target');
    assert.equal(m.classes.consent.withinLimit, 0.95, '950 of 1,000 within 1,000 ms');
    assert.equal(m.classes.consent.latencyMs.p50, 101, 'the bucket holding 100 ms');
    assert.ok(m.classes.consent.latencyMs.p99! >= 1200 && m.classes.consent.latencyMs.p99! <= 1200 * 1.2);
    assert.equal(m.classes.customerPresent.withinLimit, 1);
    assert.equal(m.classes.unattended.calls, 0);
    assert.equal(m.classes.unattended.availability, null);
  });

  it('counts a known mix of real calls by class and outcome, and publishes it', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    await server.performance.flush(true);
    const before = await performanceReport();
    // 3 reads with the customer present, 2 without, 1 refused read (an account not shared), 1 consent read, 1 token.
    for (let i = 0; i < 3; i++) await readData(server.issuer, s.c, s.tokens.access_token, '/accounts');
    for (let i = 0; i < 2; i++)
      await readData(server.issuer, s.c, s.tokens.access_token, '/accounts', { attended: false });
    await readData(server.issuer, s.c, s.tokens.access_token, '/accounts/not-shared');
    const cc = await client.clientCredentialsGrant(s.c.config, { scope: 'accounts' }, { DPoP: s.c.DPoP });
    await client.fetchProtectedResource(
      s.c.config,
      cc.access_token,
      new URL(`${consentsUrl(server.issuer)}/${s.consentId}`),
      'GET',
      undefined,
      undefined,
      { DPoP: s.c.DPoP },
    );
    await server.performance.flush(true);
    const after = (await (await fetch(`${server.issuer}/performance.json`)).json()) as PerformanceReport;
    const delta = (cls: 'authorisation' | 'consent' | 'customerPresent' | 'unattended') => {
      const a = after.months[0]!.classes[cls];
      const b = before.months[0]!.classes[cls];
      return { calls: a.calls - b.calls, properlyAnswered: a.properlyAnswered - b.properlyAnswered };
    };
    assert.deepEqual(
      delta('customerPresent'),
      { calls: 4, properlyAnswered: 4 },
      '3 reads and 1 refusal (a 403 is a proper answer)',
    );
    assert.deepEqual(delta('unattended'), { calls: 2, properlyAnswered: 2 });
    assert.deepEqual(delta('consent'), { calls: 1, properlyAnswered: 1 });
    assert.deepEqual(delta('authorisation'), { calls: 1, properlyAnswered: 1 });
  });

  it('is a page for compliance officers', async () => {
    const { agent } = await signedInAgent(server.app, await createPerson('compliance'));
    const page = await agent.get('/compliance/performance').expect(200);
    assert.match(page.text, /id="months-table"/);
    assert.match(page.text, /Data reads, customer present/);
  });
});
