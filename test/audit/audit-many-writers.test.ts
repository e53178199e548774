import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuditEventModel } from '../../src/audit/audit-event.model.js';
import { contentHash, eventId, genesisHash, type AuditInput } from '../../src/audit/audit-event.js';
import { createAuditLog, type AuditLog } from '../../src/audit/audit-log.js';
import { findChainHead } from '../../src/audit/audit-chain-head.js';
import { appendInOrder } from '../../src/audit/audit-sealing.js';
import {
  openPass,
  readReceipt,
  stageBatch,
  stagedBatchIds,
} from '../../src/audit/audit-staging.repository.js';
import { createLogger } from '../../src/logger.js';
import { createTestAuditLog, testAuditKeys } from '../helpers/app.js';
import { auditEventsWhere } from '../helpers/audit.js';

const logger = createLogger('silent');
const writer = () => createAuditLog({ keys: testAuditKeys, logger });
const marked = (consentId: string, n: number): AuditInput => ({
  action: 'data.accessed',
  actor: { type: 'app', id: 'app-writers' },
  outcome: 'success',
  consentId,
  recordCount: n,
  context: { requestId: `req-${consentId}-${n}`, ip: '203.0.113.9' },
});

/** Every event with this marker is stored once, chained to the event before it, and hashes to itself. */
async function assertWrittenOnce(consentId: string, count: number) {
  const stored = await auditEventsWhere({ consentId });
  assert.deepEqual(
    stored.map((e) => e.recordCount).sort((a, b) => a! - b!),
    Array.from({ length: count }, (_, n) => n),
    'each event once',
  );
  for (const event of stored) {
    assert.equal(contentHash(event), event.hash);
    const previous = await AuditEventModel.findById(eventId(event.seq - 1)).lean();
    assert.equal(
      event.prevHash,
      previous?.hash ?? genesisHash,
      `event ${event.seq} chains to ${event.seq - 1}`,
    );
  }
  return stored;
}

describe('audit log: many server processes on one chain', function () {
  this.timeout(120_000);
  const writers: AuditLog[] = [];
  afterEach(async () => {
    await Promise.all(writers.splice(0).map((w) => w.close()));
  });

  it('eight writers with fifty callers each append every event once, and each caller gets the event as stored', async () => {
    const consentId = randomUUID();
    writers.push(...Array.from({ length: 8 }, writer));
    let next = 0;
    const returned = (
      await Promise.all(
        Array.from({ length: 400 }, async (_, caller) => {
          const mine = [];
          while (next < 2000) mine.push(await writers[caller % 8]!.record(marked(consentId, next++)));
          return mine;
        }),
      )
    ).flat();
    const stored = await assertWrittenOnce(consentId, 2000);
    const bySeq = new Map(stored.map((e) => [e.seq, e]));
    for (const event of returned) {
      const { _id, ...asStored } = bySeq.get(event.seq)!;
      assert.equal(_id, event._id);
      assert.deepEqual({ ...event }, { _id, ...asStored }, `event ${event.seq} as its caller got it`);
    }
    assert.deepEqual(await stagedBatchIds(), [], 'nothing left waiting');
  });

  describe('a holder that stopped in the middle of sealing a staged batch', () => {
    /**
     * The state a stopped holder leaves: a batch staged by another process, the pass that
     * took it, and `written` of its events in the chain (stamped with the pass's time).
     * Then a new holder takes the lease, as it would once the stopped one's slot ends.
     */
    async function stoppedHolder(written: number) {
      const consentId = randomUUID();
      const inputs = Array.from({ length: 5 }, (_, n) => marked(consentId, n));
      const batchId = `stopped-${consentId}#1`;
      await stageBatch(batchId, inputs);
      const head = await findChainHead();
      const at = new Date();
      await openPass({ _id: `stopped-${consentId}#pass`, at, afterSeq: head.seq, batchIds: [batchId] });
      if (written > 0) await appendInOrder(inputs.slice(0, written), at, head, testAuditKeys.macKey, logger);
      // The process's own writer gives the lease up, and a new holder starts.
      await createTestAuditLog().close();
      const holder = writer();
      writers.push(holder);
      await holder.record({ action: 'audit.viewed', actor: { type: 'system' }, outcome: 'success' });
      return { consentId, batchId };
    }

    for (const [written, story] of [
      [5, 'after writing it, before its receipt'],
      [2, 'part way through writing it'],
      [0, 'before writing it'],
    ] as const) {
      it(`${story}: the next holder finishes it, every event once, and writes its receipt`, async () => {
        const { consentId, batchId } = await stoppedHolder(written);
        const stored = await assertWrittenOnce(consentId, 5);
        const receipt = await readReceipt(batchId);
        assert.deepEqual(
          receipt?.events.map((e) => [e.seq, e.hash]),
          stored.map((e) => [e.seq, e.hash]),
          'the receipt says where each event went',
        );
        assert.ok(!(await stagedBatchIds()).some((b) => b._id === batchId), 'the batch is no longer waiting');
      });
    }
  });
});
