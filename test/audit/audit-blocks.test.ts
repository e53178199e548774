import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { blockSize, eventsInSequence } from '../../src/audit/audit-blocks.js';
import { findChainHead } from '../../src/audit/audit-chain-head.js';
import { AuditEventModel } from '../../src/audit/audit-event.model.js';
import { eventId } from '../../src/audit/audit-event.js';
import { AuditEventBlockModel, AuditIndexStateModel } from '../../src/audit/audit-index.model.js';
import { getAuditEvent } from '../../src/audit/audit-query.repository.js';
import { createTestAuditLog, testAuditKeys, testIndexer } from '../helpers/app.js';

/**
 * Sealed blocks, the copies exports read: written behind the indexer from events that check
 * out, read around when missing or altered. Like the verifier's tests, these change the
 * shared log directly and put it back.
 */
describe('audit log: sealed blocks for exports', () => {
  const audit = createTestAuditLog();
  const macKey = testAuditKeys.macKey;

  async function record(count: number) {
    const consentId = randomUUID();
    const events = await Promise.all(
      Array.from({ length: count }, () =>
        audit.record({
          action: 'data.accessed',
          actor: { type: 'app', id: 'a' },
          outcome: 'success',
          consentId,
        }),
      ),
    );
    return events.map((e) => e.seq).sort((a, b) => a - b);
  }
  const blockedThrough = async () =>
    (await AuditIndexStateModel.findById('blocks').lean())?.blockedThrough ?? 0;
  const streamed = async (low: number, high: number) => {
    const events = [];
    for await (const event of eventsInSequence(low, high, macKey)) events.push(event);
    return events;
  };
  const oneByOne = async (low: number, high: number) => {
    const events = [];
    for (let seq = low; seq <= high; seq++) {
      const event = await getAuditEvent(seq);
      if (event) events.push(event);
    }
    return events;
  };
  const sameEvents = (a: { seq: number; hash: string; at: Date }[], b: typeof a) =>
    assert.deepEqual(
      a.map((e) => [e.seq, e.hash, e.at.toISOString()]),
      b.map((e) => [e.seq, e.hash, e.at.toISOString()]),
    );

  it('are written behind the indexer, a hundred events each, and read as the events themselves', async () => {
    await record(2 * blockSize + 30);
    await testIndexer.catchUp();
    const head = await findChainHead();
    const through = await blockedThrough();
    assert.equal(through, Math.floor(head.seq / blockSize) * blockSize, 'every whole block is sealed');
    assert.ok(await AuditEventBlockModel.exists({ _id: String(through / blockSize - 1).padStart(10, '0') }));
    // A range that starts and ends inside blocks, and runs into events not yet in one.
    const low = through - blockSize - 17;
    sameEvents(await streamed(low, head.seq), await oneByOne(low, head.seq));
  });

  it('a block altered without the key, or missing, is read around event by event', async () => {
    await record(blockSize);
    await testIndexer.catchUp();
    const through = await blockedThrough();
    const id = String(through / blockSize - 1).padStart(10, '0');
    const block = await AuditEventBlockModel.collection.findOne({ _id: id as never });
    const forged = (block!.events as string).replace('"outcome":"success"', '"outcome":"failure"');
    assert.notEqual(forged, block!.events);
    const range = [through - blockSize + 1, through] as const;
    try {
      await AuditEventBlockModel.collection.updateOne({ _id: id as never }, { $set: { events: forged } });
      const read = await streamed(...range);
      sameEvents(read, await oneByOne(...range));
      assert.ok(
        read.every((e) => e.outcome === 'success'),
        'the forged copy is not what is read',
      );
      await AuditEventBlockModel.collection.deleteOne({ _id: id as never });
      sameEvents(await streamed(...range), await oneByOne(...range));
    } finally {
      await AuditEventBlockModel.collection.replaceOne({ _id: id as never }, block!, { upsert: true });
    }
  });

  it('are never written over an event that does not check out; once it is put back they go on', async () => {
    await testIndexer.catchUp();
    // Altered before the indexer reads it (a copy it read earlier is the event as written).
    const seqs = await record(blockSize);
    const target = seqs[0]!;
    const blockStart = Math.floor((target - 1) / blockSize) * blockSize;
    const original = await AuditEventModel.collection.findOne({ _id: eventId(target) as never });
    await AuditEventModel.collection.updateOne(
      { _id: eventId(target) as never },
      { $set: { recordCount: 7 } },
    );
    try {
      await testIndexer.catchUp();
      assert.equal(await blockedThrough(), blockStart, 'the block holding the altered event is not sealed');
    } finally {
      await AuditEventModel.collection.replaceOne({ _id: eventId(target) as never }, original!);
    }
    await testIndexer.catchUp();
    assert.ok((await blockedThrough()) >= blockStart + blockSize, 'sealed once the event is as written');
  });
});
