import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { WebhookDeliveryModel, WebhookQueueModel } from '../../src/webhooks/webhook.model.js';
import { auditEventsWhere } from '../helpers/audit.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';
import {
  appClient,
  authoriseInBrowser,
  consentsUrl,
  createConsentAs,
  exchangeCode,
  registerTestApp,
  startOAuthServer,
} from '../helpers/oauth-client.js';

/** Runs delivery rounds until one attempts something (a round near the end of the worker's lease slot waits for the next). */
async function deliverSomething(webhooks: { deliverDue(): Promise<number> }) {
  for (let i = 0; i < 80; i++) {
    const attempted = await webhooks.deliverDue();
    if (attempted > 0) return attempted;
    await new Promise((r) => setTimeout(r, 250));
  }
  return 0;
}

describe('webhooks: the app is told when a consent ends', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;
  let receiver: Server;
  let hookUrl: string;
  const received: { body: string; type: string | undefined }[] = [];
  let failNext = 0;

  before(async () => {
    server = await startOAuthServer();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (failNext > 0) {
          failNext -= 1;
          res.writeHead(503).end();
          return;
        }
        received.push({ body, type: req.headers['content-type'] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  after(async () => {
    await server?.close();
    receiver?.close();
  });

  it('on deletion, posts a notice signed with the published key, retrying with backoff, every attempt recorded', async () => {
    const app = await registerTestApp(server.issuer, { webhookUrl: hookUrl });
    const c = await appClient(server.issuer, app);
    const { person, accounts } = await createCustomerWithAccounts(2);
    const consentId = (await createConsentAs(server.issuer, c, { Permissions: ['ReadAccountsBasic'] })).body
      .Data.ConsentId;
    const flow = await authoriseInBrowser(server.issuer, app, c, consentId, person, () => ({
      decision: 'approve',
      accountIds: [accounts[0]!.accountId],
    }));
    await exchangeCode(c, flow);

    failNext = 1;
    const cc = await client.clientCredentialsGrant(c.config, { scope: 'accounts' }, { DPoP: c.DPoP });
    await client.fetchProtectedResource(
      c.config,
      cc.access_token,
      new URL(`${consentsUrl(server.issuer)}/${consentId}`),
      'DELETE',
      undefined,
      undefined,
      { DPoP: c.DPoP },
    );

    const delivery = await WebhookDeliveryModel.findOne({ consentId }).lean();
    assert.equal(delivery?.status, 'pending');
    // The queue is shared with other tests' notices: a round may carry one of theirs too.
    assert.ok((await deliverSomething(server.webhooks)) >= 1);
    const afterFailure = await WebhookDeliveryModel.findById(delivery!._id).lean();
    assert.equal(afterFailure?.attempts.length, 1);
    assert.equal(afterFailure?.attempts[0]?.status, 503);
    const queued = await WebhookQueueModel.findById(delivery!._id).lean();
    // Measured from the failed attempt, not from now: a round can wait on other apps' endpoints.
    assert.equal(
      queued!.nextAttemptAt.getTime() - afterFailure!.attempts[0]!.at!.getTime(),
      10_000,
      'the second attempt waits 10 seconds',
    );

    await WebhookQueueModel.updateOne({ _id: delivery!._id }, { $set: { nextAttemptAt: new Date(0) } });
    assert.ok((await deliverSomething(server.webhooks)) >= 1);
    assert.equal((await WebhookDeliveryModel.findById(delivery!._id).lean())?.status, 'delivered');
    assert.equal(await WebhookQueueModel.exists({ _id: delivery!._id }), null);

    const notice = received.at(-1)!;
    assert.equal(notice.type, 'application/jwt');
    const jwks = (await (await fetch(`${server.issuer}/.well-known/webhook-keys.json`)).json()) as Parameters<
      typeof createLocalJWKSet
    >[0];
    const { payload, protectedHeader } = await jwtVerify(notice.body, createLocalJWKSet(jwks), {
      issuer: server.issuer,
      audience: app.clientId,
      typ: 'consent-event+jwt',
      requiredClaims: ['iat', 'exp', 'jti'],
      maxTokenAge: '5m',
    });
    assert.ok(payload.exp! - payload.iat! <= 300, 'a notice is good for five minutes at most');
    assert.equal(
      payload.jti,
      delivery!._id,
      'every attempt carries the notice’s own id, so repeats can be dropped',
    );
    assert.match(protectedHeader.kid ?? '', /^webhook-/);
    const idTokenKeys = (await (await fetch(`${server.issuer}/oauth/jwks`)).json()) as Parameters<
      typeof createLocalJWKSet
    >[0];
    await assert.rejects(
      jwtVerify(notice.body, createLocalJWKSet(idTokenKeys)),
      'not signed with the ID token key',
    );
    assert.deepEqual(
      [payload.event, payload.ConsentId, payload.Status, payload.DataDeletion],
      ['consent.revoked', consentId, 'CANC', 'requested'],
    );

    const attempts = (await auditEventsWhere({ consentId }))
      .filter((e) => e.action.startsWith('webhook.'))
      .map((e) => e.action);
    assert.deepEqual(attempts, ['webhook.failed', 'webhook.delivered']);
  });
});
