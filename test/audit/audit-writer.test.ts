import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MongoNetworkError } from 'mongodb';
import { AuditEventModel } from '../../src/audit/audit-event.model.js';
import { contentHash, eventId, genesisHash, macFor } from '../../src/audit/audit-event.js';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { createLogger } from '../../src/logger.js';
import { createTestAuditLog, testAuditKeys } from '../helpers/app.js';
import { auditEventsWhere } from '../helpers/audit.js';

/** A writer of its own, as another server process has. */
const independentWriter = () => createAuditLog({ keys: testAuditKeys, logger: createLogger('silent') });

describe('audit log: appending', () => {
  it('stores concurrent events at consecutive sequence numbers, each chained to the one before', async () => {
    const audit = createTestAuditLog();
    const marker = randomUUID();
    const written = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        audit.record({
          action: 'data.accessed',
          actor: { type: 'app', id: 'app-test' },
          outcome: 'success',
          consentId: marker,
          recordCount: i,
        }),
      ),
    );
    const seqs = written.map((e) => e.seq).sort((a, b) => a - b);
    assert.equal(new Set(seqs).size, 200);
    assert.equal(seqs.at(-1)! - seqs[0]! + 1, 200, 'no gaps');

    const stored = await auditEventsWhere({ consentId: marker });
    assert.equal(stored.length, 200);
    for (const event of stored) {
      assert.equal(event._id, eventId(event.seq));
      assert.equal(contentHash(event), event.hash);
      assert.equal(event.mac, macFor(testAuditKeys.macKey, event.hash));
      const previous = await AuditEventModel.findById(eventId(event.seq - 1)).lean();
      assert.equal(event.prevHash, previous?.hash ?? genesisHash);
    }
  });

  it('two writers that race for the same sequence numbers (as two server processes do) lose nothing', async () => {
    const first = independentWriter();
    const second = independentWriter();
    const marker = randomUUID();
    const record = (writer: typeof first, n: number) =>
      Promise.all(
        Array.from({ length: n }, () =>
          writer.record({
            action: 'auth.signed_in',
            actor: { type: 'system' },
            outcome: 'success',
            consentId: marker,
          }),
        ),
      );
    // Prime both with the same head so their first batches collide.
    await Promise.all([
      first.record({ action: 'audit.viewed', actor: { type: 'system' }, outcome: 'success' }),
    ]);
    const [a, b] = await Promise.all([record(first, 150), record(second, 150)]);
    const seqs = [...a, ...b].map((e) => e.seq).sort((x, y) => x - y);
    assert.equal(new Set(seqs).size, 300, 'every event has its own sequence number');

    const stored = await auditEventsWhere({ consentId: marker });
    assert.equal(stored.length, 300);
    for (const event of stored) {
      const previous = await AuditEventModel.findById(eventId(event.seq - 1)).lean();
      assert.equal(event.prevHash, previous!.hash, `event ${event.seq} chains to ${event.seq - 1}`);
    }
    await Promise.all([first.close(), second.close()]);
  });

  it('after a write that failed in an unknown state (stored, but the answer was lost), chains on from the stored event, searching forward from the last known one', async () => {
    // The process's writer gives the lease up, so that this one writes the chain itself.
    await createTestAuditLog().close();
    const audit = independentWriter();
    const event = (n: number) =>
      ({ action: 'audit.viewed', actor: { type: 'system' }, outcome: 'success', recordCount: n }) as const;
    const known = await audit.record(event(1));
    const collection = AuditEventModel.collection;
    const insertMany = collection.insertMany.bind(collection);
    collection.insertMany = (async (...args: Parameters<typeof insertMany>) => {
      await insertMany(...args);
      throw new MongoNetworkError('connection reset after the write');
    }) as typeof collection.insertMany;
    await assert.rejects(audit.record(event(2)), { status: 503 });
    collection.insertMany = insertMany;
    const lost = await AuditEventModel.findById(eventId(known.seq + 1)).lean();
    assert.equal(lost?.recordCount, 2, 'the failed write was in fact stored');

    const exists = AuditEventModel.exists.bind(AuditEventModel);
    let probes = 0;
    AuditEventModel.exists = ((...args: Parameters<typeof exists>) => {
      probes++;
      return exists(...args);
    }) as typeof AuditEventModel.exists;
    try {
      const next = await audit.record(event(3));
      assert.equal(next.seq, known.seq + 2);
      assert.equal(next.prevHash, lost!.hash);
    } finally {
      AuditEventModel.exists = exists;
    }
    // Forward from the last known event (3 lookups), then 20 past it to be sure no gap hides
    // a later event; a search from the start of the log would take some 50 here.
    assert.ok(probes <= 24, `searched forward from the last known event (${probes} lookups)`);
    await audit.close();
  });

  it('keeps only the fields it was given: no empty arrays or nulls that would change the hash', async () => {
    const audit = createTestAuditLog();
    const event = await audit.record({
      action: 'auth.signed_out',
      actor: { type: 'customer', id: 'x' },
      outcome: 'success',
    });
    const stored = await AuditEventModel.findById(event._id).lean();
    assert.equal(stored!.accountIds, undefined);
    assert.equal(contentHash(stored!), event.hash);
  });
});
