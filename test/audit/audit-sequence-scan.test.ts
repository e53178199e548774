import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuditEventModel } from '../../src/audit/audit-event.model.js';
import { eventId } from '../../src/audit/audit-event.js';
import { eventsInSequence } from '../../src/audit/audit-sequence-scan.js';
import { createTestAuditLog } from '../helpers/app.js';

/**
 * The scan exports read: storage order is not sequence order once an event has been stored
 * again (it goes to the end), and a number may be missing. Like the verifier's tests, these
 * change the shared log directly and put it back.
 */
describe('audit log: reading a range in one scan', () => {
  const audit = createTestAuditLog();

  async function sixEvents() {
    const consentId = randomUUID();
    const seqs: number[] = [];
    for (let i = 0; i < 6; i++)
      seqs.push(
        (
          await audit.record({
            action: 'data.accessed',
            actor: { type: 'app', id: 'a' },
            outcome: 'success',
            consentId,
          })
        ).seq,
      );
    return seqs;
  }
  const scanned = async (low: number, high: number, options?: { maxOutOfOrder: number }) => {
    const seqs: number[] = [];
    for await (const event of eventsInSequence(low, high, options)) seqs.push(event.seq);
    return seqs;
  };
  const storedAgain = async (seq: number) => {
    const original = await AuditEventModel.collection.findOne({ _id: eventId(seq) as never });
    await AuditEventModel.collection.deleteOne({ _id: eventId(seq) as never });
    await AuditEventModel.collection.insertOne(original!);
    return original!;
  };

  it('yields every event of the range once, in sequence order, whatever the storage order', async () => {
    const seqs = await sixEvents();
    await storedAgain(seqs[1]!);
    assert.deepEqual(await scanned(seqs[0]!, seqs[5]!), seqs);
    assert.deepEqual(await scanned(seqs[2]!, seqs[3]!), seqs.slice(2, 4), 'and nothing outside it');
  });

  it('looks up an event stored far out of order, and steps over a missing number', async () => {
    const seqs = await sixEvents();
    await storedAgain(seqs[0]!);
    const missing = await AuditEventModel.collection.findOne({ _id: eventId(seqs[3]!) as never });
    await AuditEventModel.collection.deleteOne({ _id: eventId(seqs[3]!) as never });
    try {
      const expected = seqs.filter((s) => s !== seqs[3]);
      assert.deepEqual(await scanned(seqs[0]!, seqs[5]!, { maxOutOfOrder: 1 }), expected);
      assert.deepEqual(await scanned(seqs[0]!, seqs[5]!), expected);
    } finally {
      await AuditEventModel.collection.insertOne(missing!);
    }
  });
});
