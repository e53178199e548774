import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/logger.js';
import { queueDelivery, findDelivery } from '../../src/webhooks/webhook.repository.js';
import { createWebhooks } from '../../src/webhooks/webhook.service.js';
import { createTestAuditLog, testOAuthSecrets } from '../helpers/app.js';
import { auditEventsWhere } from '../helpers/audit.js';

/** A receiver that answers after `delayMs` (or never), counting the POSTs it gets per notice. */
async function receiver(delayMs: number | 'never') {
  const posts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const id = req.url!.split('/').pop()!;
    posts.set(id, (posts.get(id) ?? 0) + 1);
    if (delayMs !== 'never') setTimeout(() => res.writeHead(204).end(), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    close: () => server.closeAllConnections(),
  };
}

async function queue(url: string, clientId: string) {
  const id = randomUUID();
  await queueDelivery(
    {
      _id: id,
      clientId,
      consentId: `aac-${id}`,
      event: 'consent.revoked',
      url: `${url}/${id}`,
      claims: { event: 'consent.revoked' },
      status: 'pending',
      createdAt: new Date(),
    },
    new Date(0),
  );
  return id;
}

/** A webhook worker of its own, allowed to reach this machine's test receivers. */
const worker = () =>
  createWebhooks({
    audit: createTestAuditLog(),
    logger: createLogger('silent'),
    publicUrl: 'http://127.0.0.1',
    signingKey: testOAuthSecrets.webhookKey,
    allowInternalAddresses: true,
  });

describe('webhook worker', function () {
  // Up to a lease slot (30 s) may pass before this worker may deliver, if another test's worker holds it.
  this.timeout(120_000);

  it('never sends a notice twice at once, however often it is asked to deliver, and records each attempt once', async () => {
    const slow = await receiver(2500);
    const webhooks = worker();
    try {
      const id = await queue(slow.url, `app-${randomUUID()}`);
      // A timer firing every 2 s while a 2.5 s answer is awaited: rounds asked for at once.
      const rounds = [];
      for (let i = 0; i < 450 && !(await findDelivery(id))?.attempts.length; i++) {
        rounds.push(webhooks.deliverDue());
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await Promise.all(rounds);
      assert.equal(slow.posts.get(id), 1, 'one POST');
      const delivery = await findDelivery(id);
      assert.equal(delivery?.status, 'delivered');
      assert.equal(delivery?.attempts.length, 1, 'one attempt recorded');
      assert.equal((await auditEventsWhere({ 'details.delivery': id })).length, 1, 'one audit event');
    } finally {
      await webhooks.release();
      slow.close();
    }
  });

  it("one app's hung endpoint does not hold up another app's notices", async () => {
    const hung = await receiver('never');
    const quick = await receiver(0);
    const webhooks = worker();
    try {
      const stuck = await queue(hung.url, `app-${randomUUID()}`);
      const other = await queue(quick.url, `app-${randomUUID()}`);
      const started = Date.now();
      // Asked again only when a round ended without the lease (another worker held the slot).
      let round: Promise<number> = webhooks.deliverDue();
      let attempted: number | undefined;
      void round.then((n) => (attempted = n));
      while (!(await findDelivery(other))?.attempts.length && Date.now() - started < 45_000) {
        if (attempted === 0) {
          attempted = undefined;
          round = webhooks.deliverDue();
          void round.then((n) => (attempted = n));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const otherDone = Date.now();
      assert.equal((await findDelivery(other))?.status, 'delivered');
      await round;
      const stuckDone = Date.now();
      assert.ok(otherDone < stuckDone, 'the other app was told while the hung endpoint was still awaited');
      assert.match((await findDelivery(stuck))?.attempts[0]?.error ?? '', /abort|timeout/i);
    } finally {
      await webhooks.release();
      hung.close();
      quick.close();
    }
  });
});
