import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Schema, model } from 'mongoose';
import { decidedChanges } from '../../src/db/decided-change.js';
import { claim, endOfRun, takeSlot } from '../../src/db/primary-key.js';

// A collection of its own, so the blocks are seen working on the real embedded database.
const Scratch = model(
  'StorageBlockScratch',
  new Schema(
    { _id: String, at: Date, state: String, outcome: String, auditSeq: Number },
    { collection: 'test_storage_blocks', versionKey: false, strict: false },
  ),
);
const fresh = () => `block-${randomUUID()}`;

describe('storage building blocks (src/db/)', () => {
  it('claim: of many writers racing for one id, exactly one wins', async () => {
    const id = fresh();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => claim(Scratch, { _id: id, by: i })),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('takeSlot: racing writers each take a different slot, and none past the limit', async () => {
    const prefix = fresh();
    const taken = await Promise.all(
      Array.from({ length: 8 }, () => takeSlot(Scratch, (n) => `${prefix}#${n}`, {}, { max: 5 })),
    );
    assert.deepEqual(
      taken.filter((n) => n !== undefined).sort(),
      [1, 2, 3, 4, 5],
      'five slots, each taken once',
    );
    assert.equal(taken.filter((n) => n === undefined).length, 3, 'the rest are told none is left');
  });

  it('endOfRun: finds the last of a run in O(log n) lookups, from a hint or from nothing', async () => {
    const run = 1000;
    let lookups = 0;
    const exists = async (n: number) => {
      lookups += 1;
      return n <= run;
    };
    assert.equal(await endOfRun(exists), run);
    assert.ok(lookups <= 2 * Math.ceil(Math.log2(run)) + 2, `${lookups} lookups`);
    assert.equal(await endOfRun(exists, 990), run);
    assert.equal(await endOfRun(async () => false), 0);
    assert.equal(await endOfRun(exists, 0, 10), 10, 'bounded by max');
  });

  describe('decidedChanges', () => {
    const audited = new Map<string, number>();
    const changes = decidedChanges<{ _id: string; at: Date; state: string }>(Scratch, {
      field: 'state',
      auditEventOf: async (change) => audited.get(change._id),
      inFlightMs: 1_000,
    });
    const claimed = async (at: Date) => {
      const id = fresh();
      assert.ok(await claim(Scratch, { _id: id, at, state: 'claimed' }));
      return id;
    };

    it('an outcome is decided once: whoever decides second gets the first decision', async () => {
      const id = await claimed(new Date());
      const [first, second] = await Promise.all([
        changes.decide(id, 'audited', 7),
        changes.decide(id, 'abandoned'),
      ]);
      assert.equal(first, second, 'both see one outcome');
      assert.equal(await changes.outcomeOf(id, new Date()), first);
    });

    it('a claim still in flight is undecided; once stale, it is settled by whether its audit event exists', async () => {
      const now = new Date();
      const inFlight = await claimed(now);
      assert.equal(await changes.outcomeOf(inFlight, now), 'undecided');

      const long = new Date(now.getTime() - 60_000);
      const wasAudited = await claimed(long);
      audited.set(wasAudited, 42);
      const neverAudited = await claimed(long);
      assert.equal(await changes.outcomeOf(wasAudited, now), 'audited');
      assert.equal(await changes.outcomeOf(neverAudited, now), 'abandoned');
      assert.equal(
        ((await Scratch.findById(wasAudited).lean()) as { auditSeq?: number } | null)?.auditSeq,
        42,
        'the audit event is kept with the change',
      );
      assert.equal(await changes.outcomeOf(fresh(), now), 'abandoned', 'never claimed, never happened');
    });
  });
});
