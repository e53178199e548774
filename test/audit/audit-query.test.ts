import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { searchAuditEvents } from '../../src/audit/audit-query.repository.js';
import { AuditDailyStatsModel } from '../../src/audit/audit-index.model.js';
import { createTestAuditLog, testIndexer } from '../helpers/app.js';

describe('audit log: filtered queries', () => {
  const audit = createTestAuditLog();
  const indexer = testIndexer;
  const app = `app-${randomUUID().slice(0, 8)}`;
  const customer = `cus-${randomUUID().slice(0, 8)}`;
  const seqs: number[] = [];

  before(async () => {
    for (let i = 0; i < 30; i++) {
      const event = await audit.record({
        action: i % 3 === 0 ? 'data.denied' : 'data.accessed',
        actor: { type: 'app', id: app },
        clientId: app,
        customerId: i % 2 === 0 ? customer : `other-${i}`,
        outcome: i % 3 === 0 ? 'failure' : 'success',
        reason: i % 3 === 0 ? (i % 2 === 0 ? 'permission_missing' : 'consent_revoked') : undefined,
        recordCount: i,
      });
      seqs.push(event.seq);
    }
    await indexer.catchUp();
  });

  it('pages newest first by cursor through every match, without repeats', async () => {
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await searchAuditEvents({ clientId: app }, { before, limit: 7 });
      seen.push(...page.events.map((e) => e.seq));
      if (!page.nextCursor) break;
      before = page.nextCursor;
    }
    assert.deepEqual(seen, [...seqs].reverse());
  });

  it('combines filters: app, customer, outcome', async () => {
    const page = await searchAuditEvents(
      { clientId: app, customerId: customer, outcome: 'failure' },
      { limit: 50 },
    );
    const expected = seqs.filter((_, i) => i % 2 === 0 && i % 3 === 0).reverse();
    assert.deepEqual(
      page.events.map((e) => e.seq),
      expected,
    );
    assert.equal(page.nextCursor, undefined);
  });

  it('reads a consent’s history across several pages of its posting list, both ways', async () => {
    const consentId = `consent-${randomUUID()}`;
    const mine: number[] = [];
    for (let i = 0; i < 11; i++) {
      mine.push(
        (
          await audit.record({
            action: 'data.accessed',
            actor: { type: 'app', id: app },
            consentId,
            outcome: 'success',
          })
        ).seq,
      );
      if (i % 4 === 1) await indexer.catchUp();
    }
    await indexer.catchUp();
    const asc = await searchAuditEvents({ consentId }, { order: 'asc', limit: 50 });
    assert.deepEqual(
      asc.events.map((e) => e.seq),
      mine,
    );
    const desc = await searchAuditEvents({ consentId, outcome: 'success' }, { limit: 5 });
    assert.deepEqual(
      desc.events.map((e) => e.seq),
      [...mine].reverse().slice(0, 5),
    );
    const older = await searchAuditEvents({ consentId }, { before: desc.nextCursor, limit: 50 });
    assert.deepEqual(
      older.events.map((e) => e.seq),
      [...mine].reverse().slice(5),
    );
  });

  it('orders oldest first for a consent history style query', async () => {
    const page = await searchAuditEvents(
      { clientId: app, action: 'data.denied' },
      { order: 'asc', limit: 3 },
    );
    assert.deepEqual(
      page.events.map((e) => e.seq),
      seqs.filter((_, i) => i % 3 === 0).slice(0, 3),
    );
    const next = await searchAuditEvents(
      { clientId: app, action: 'data.denied' },
      { order: 'asc', after: page.nextCursor, limit: 50 },
    );
    assert.equal(next.events[0]!.seq, seqs[9]);
  });

  it('includes events the indexer has not reached yet', async () => {
    const late = await audit.record({
      action: 'data.accessed',
      actor: { type: 'app', id: app },
      clientId: app,
      outcome: 'success',
    });
    const page = await searchAuditEvents({ clientId: app }, { limit: 2 });
    assert.equal(page.events[0]!.seq, late.seq);
    assert.equal(page.events[1]!.seq, seqs.at(-1));
  });

  it('narrows to a time range', async () => {
    const future = await searchAuditEvents(
      { clientId: app, from: new Date(Date.now() + 3_600_000) },
      { limit: 10 },
    );
    assert.equal(future.events.length, 0);
    const recent = await searchAuditEvents(
      { clientId: app, from: new Date(Date.now() - 3_600_000), to: new Date() },
      { limit: 100 },
    );
    assert.ok(recent.events.length >= 30);
  });

  it('counts each app’s activity per day, with refusals by reason, once even if indexed twice', async () => {
    await indexer.catchUp();
    const today = new Date().toISOString().slice(0, 10);
    const stats = await AuditDailyStatsModel.findById(today).lean();
    const mine = stats!.apps.find((a) => a.clientId === app)!;
    assert.equal(mine.total, 31);
    assert.equal(mine.failure, 10);
    assert.deepEqual(Object.fromEntries(mine.refusals.map((r) => [r.name, r.count])), {
      permission_missing: 5,
      consent_revoked: 5,
    });
  });
});
