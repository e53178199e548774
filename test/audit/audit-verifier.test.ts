import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { findChainHead } from '../../src/audit/audit-chain-head.js';
import { writeCheckpoint } from '../../src/audit/audit-checkpoint.repository.js';
import { AuditCheckpointModel, AuditEventModel } from '../../src/audit/audit-event.model.js';
import { contentHash, eventId, sealEvent } from '../../src/audit/audit-event.js';
import { verifyAuditLog } from '../../src/audit/audit-verifier.js';
import { createTestAuditLog, testAuditKeys } from '../helpers/app.js';

/**
 * Each test tampers with the shared log directly in the database, as an attacker with
 * database access would, checks that verification catches and locates it, and then
 * puts the log back so the rest of the suite sees an intact chain.
 */
describe('audit log: verification', () => {
  const audit = createTestAuditLog();
  let seqs: number[];

  beforeEach(async () => {
    const marker = randomUUID();
    const events = [];
    for (let i = 0; i < 6; i++) {
      events.push(
        await audit.record({
          action: 'data.accessed',
          actor: { type: 'app', id: 'a' },
          outcome: 'success',
          consentId: marker,
        }),
      );
    }
    seqs = events.map((e) => e.seq);
    const before = await verifyAuditLog(testAuditKeys);
    assert.equal(before.problem, undefined, 'the log is intact before tampering');
    assert.ok(before.ok);
  });

  it('an untouched log verifies, up to its last event', async () => {
    const result = await verifyAuditLog(testAuditKeys);
    const head = await findChainHead();
    assert.equal(result.ok, true);
    assert.equal(result.lastSeq, head.seq);
    assert.equal(result.headHash, head.hash);
  });

  it('catches an altered event and names it', async () => {
    const target = seqs[2]!;
    const original = await AuditEventModel.collection.findOne({ _id: eventId(target) as never });
    await AuditEventModel.collection.updateOne(
      { _id: eventId(target) as never },
      { $set: { recordCount: 999 } },
    );
    try {
      const result = await verifyAuditLog(testAuditKeys);
      assert.equal(result.ok, false);
      assert.deepEqual([result.problem?.kind, result.problem?.seq], ['altered', target]);
      assert.match(result.problem!.message, new RegExp(`event ${target} does not match its hash`));
    } finally {
      await AuditEventModel.collection.replaceOne({ _id: eventId(target) as never }, original!);
    }
  });

  it('catches an altered event whose hash was recomputed to match', async () => {
    const target = seqs[1]!;
    const original = await AuditEventModel.collection.findOne({ _id: eventId(target) as never });
    const forged: Record<string, unknown> = { ...original!, outcome: 'failure' };
    forged.hash = contentHash(forged);
    await AuditEventModel.collection.replaceOne({ _id: eventId(target) as never }, forged);
    try {
      const result = await verifyAuditLog(testAuditKeys);
      assert.equal(result.problem?.seq, target);
      assert.equal(result.problem?.kind, 'inserted');
      assert.match(result.problem!.message, /not written by the audit service/);
    } finally {
      await AuditEventModel.collection.replaceOne({ _id: eventId(target) as never }, original!);
    }
  });

  it('catches a removed event and names its position', async () => {
    const target = seqs[3]!;
    const original = await AuditEventModel.collection.findOne({ _id: eventId(target) as never });
    await AuditEventModel.collection.deleteOne({ _id: eventId(target) as never });
    try {
      const result = await verifyAuditLog(testAuditKeys);
      assert.deepEqual([result.problem?.kind, result.problem?.seq], ['removed', target]);
    } finally {
      await AuditEventModel.collection.insertOne(original!);
    }
  });

  it('a writer never fills a removed event’s place: it writes after the last event, and the gap stays where it was', async () => {
    const target = seqs[3]!;
    const original = await AuditEventModel.collection.findOne({ _id: eventId(target) as never });
    await AuditEventModel.collection.deleteOne({ _id: eventId(target) as never });
    // Writers that know nothing of the gap: a new one (a process starting), and one whose
    // last known event is before it (a process that has been quiet).
    const gapsSeen: number[] = [];
    const fresh = await createTestAuditLog().record({
      action: 'audit.verified',
      actor: { type: 'system' },
      outcome: 'success',
    });
    const quietHead = await AuditEventModel.findById(eventId(seqs[2]!)).lean();
    const head = await findChainHead({ seq: seqs[2]!, hash: quietHead!.hash }, (missing) =>
      gapsSeen.push(missing),
    );
    try {
      assert.ok(fresh.seq > seqs[5]!, `written at ${fresh.seq}, after the last event ${seqs[5]}`);
      assert.equal(head.seq, fresh.seq, 'a writer resuming before the gap finds the true head');
      assert.deepEqual(gapsSeen, [target], 'and is told of the gap');
      assert.equal(await AuditEventModel.exists({ _id: eventId(target) }), null, 'the gap is left as found');
      const result = await verifyAuditLog(testAuditKeys);
      assert.deepEqual(
        [result.problem?.kind, result.problem?.seq],
        ['removed', target],
        'reported where it is',
      );
    } finally {
      await AuditEventModel.collection.insertOne(original!);
    }
  });

  it('catches events removed from the end after a signed checkpoint', async () => {
    const checkpoint = await writeCheckpoint(testAuditKeys, 'on_demand');
    const last = checkpoint!.seq;
    const original = await AuditEventModel.collection.findOne({ _id: eventId(last) as never });
    await AuditEventModel.collection.deleteOne({ _id: eventId(last) as never });
    try {
      const result = await verifyAuditLog(testAuditKeys);
      assert.deepEqual([result.problem?.kind, result.problem?.seq], ['removed', last]);
      assert.match(result.problem!.message, /signed checkpoint covers event/);
    } finally {
      await AuditEventModel.collection.insertOne(original!);
    }
  });

  it('catches an inserted event, whether squeezed between two or appended at the end', async () => {
    const between = { ...(await AuditEventModel.collection.findOne({ _id: eventId(seqs[4]!) as never }))! };
    const squeezed = { ...between, _id: `${eventId(seqs[4]!)}a`, seq: seqs[4]! + 0.5 } as never;
    await AuditEventModel.collection.insertOne(squeezed);
    try {
      const result = await verifyAuditLog(testAuditKeys);
      assert.equal(result.problem?.kind, 'inserted');
      assert.equal(result.problem?.seq, seqs[4]! + 0.5);
    } finally {
      await AuditEventModel.collection.deleteOne({ _id: `${eventId(seqs[4]!)}a` as never });
    }

    // An attacker can compute the chain hash, but not the audit service's authentication code.
    const head = await findChainHead();
    const forgedKey = Buffer.alloc(32, 7);
    const appended = sealEvent(
      { action: 'data.accessed', actor: { type: 'app', id: 'forger' }, outcome: 'success' },
      head.seq + 1,
      new Date(),
      head.hash,
      forgedKey,
    );
    await AuditEventModel.collection.insertOne(appended as never);
    try {
      const result = await verifyAuditLog(testAuditKeys);
      assert.deepEqual([result.problem?.kind, result.problem?.seq], ['inserted', head.seq + 1]);
    } finally {
      await AuditEventModel.collection.deleteOne({ _id: appended._id as never });
    }
  });

  it('catches two events swapped and names the first position', async () => {
    const [a, b] = [seqs[1]!, seqs[2]!];
    const first = await AuditEventModel.collection.findOne({ _id: eventId(a) as never });
    const second = await AuditEventModel.collection.findOne({ _id: eventId(b) as never });
    await AuditEventModel.collection.replaceOne(
      { _id: eventId(a) as never },
      { ...second!, _id: eventId(a), seq: a },
    );
    await AuditEventModel.collection.replaceOne(
      { _id: eventId(b) as never },
      { ...first!, _id: eventId(b), seq: b },
    );
    try {
      const result = await verifyAuditLog(testAuditKeys);
      assert.deepEqual([result.problem?.kind, result.problem?.seq], ['reordered', a]);
      assert.match(result.problem!.message, new RegExp(`event ${a} was written as event ${b}`));
    } finally {
      await AuditEventModel.collection.replaceOne({ _id: eventId(a) as never }, first!);
      await AuditEventModel.collection.replaceOne({ _id: eventId(b) as never }, second!);
    }
  });

  it('catches a checkpoint whose signature does not verify', async () => {
    const checkpoint = await writeCheckpoint(testAuditKeys, 'on_demand');
    await AuditCheckpointModel.collection.updateOne(
      { _id: eventId(checkpoint!.seq) as never },
      { $set: { hash: 'f'.repeat(64) } },
    );
    try {
      const result = await verifyAuditLog(testAuditKeys);
      assert.deepEqual([result.problem?.kind, result.problem?.seq], ['checkpoint_invalid', checkpoint!.seq]);
    } finally {
      await AuditCheckpointModel.collection.updateOne(
        { _id: eventId(checkpoint!.seq) as never },
        { $set: { hash: checkpoint!.hash } },
      );
    }
  });
});
