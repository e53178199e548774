import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { DailyStats } from '../../src/audit/audit-stats.js';
import { attentionList } from '../../src/compliance/attention.js';
import { buildTestApp, createTestAuditLog, testIndexer } from '../helpers/app.js';
import { signedInAgent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';

const day = (
  apps: { clientId: string; reads?: number; refusals?: number; unattended?: number }[],
): DailyStats => ({
  _id: 'd',
  throughSeq: 0,
  apps: apps.map((a) => ({
    clientId: a.clientId,
    total: (a.reads ?? 0) + (a.refusals ?? 0),
    success: a.reads ?? 0,
    failure: a.refusals ?? 0,
    actions: [
      { name: 'data.accessed', count: a.reads ?? 0 },
      { name: 'data.denied', count: a.refusals ?? 0 },
    ],
    refusals: a.unattended ? [{ name: 'unattended_limit', count: a.unattended }] : [],
  })),
});

describe('compliance: apps that need attention', () => {
  it('flags an app against its own past: refusals, unattended-limit refusals and read volume', () => {
    const baseline = Array.from({ length: 28 }, () =>
      day([
        { clientId: 'steady', reads: 100, refusals: 2 },
        { clientId: 'jumpy', reads: 100, refusals: 1 },
      ]),
    );
    const recent = Array.from({ length: 7 }, () =>
      day([
        { clientId: 'steady', reads: 110, refusals: 2 },
        { clientId: 'jumpy', reads: 400, refusals: 6, unattended: 3 },
      ]),
    );
    const items = attentionList(recent, baseline, 7, 28);
    assert.deepEqual(items.map((i) => `${i.clientId}:${i.kind}`).sort(), [
      'jumpy:refusals',
      'jumpy:unattended',
      'jumpy:volume',
    ]);
    const refusals = items.find((i) => i.kind === 'refusals')!;
    assert.deepEqual([refusals.recent, refusals.baseline], [6, 1]);
  });

  it('ignores small numbers and events no app made', () => {
    const recent = [
      day([
        { clientId: 'quiet', reads: 10, refusals: 3 },
        { clientId: '(none)', refusals: 500 },
      ]),
    ];
    assert.deepEqual(attentionList(recent, [], 7, 28), []);
  });

  it('shows on the activity page with a link to the events behind it', async function () {
    this.timeout(30_000);
    const app = buildTestApp();
    const { agent } = await signedInAgent(app, await createPerson('compliance'));
    const clientId = `app-${randomUUID().slice(0, 8)}`;
    const audit = createTestAuditLog();
    for (let i = 0; i < 6; i++)
      await audit.record({
        action: 'data.denied',
        actor: { type: 'app', id: clientId },
        clientId,
        outcome: 'failure',
        reason: 'account_not_in_consent',
      });
    await testIndexer.catchUp();
    const page = await agent.get('/compliance/activity').expect(200);
    const list = /<ul id="attention-list">([\s\S]*?)<\/ul>/.exec(page.text)![1]!;
    assert.match(
      list,
      new RegExp(`href="/compliance\\?clientId=${clientId}&action=data.denied&outcome=failure&from=`),
    );
    assert.match(list, /refused reads 0\.9 a day, against 0 a day before/);
  });
});
