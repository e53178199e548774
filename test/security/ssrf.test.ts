import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppRegistration } from '../../src/apps/app.schemas.js';
import { createLogger } from '../../src/logger.js';
import { createWebhooks } from '../../src/webhooks/webhook.service.js';
import { isInternalAddress } from '../../src/webhooks/webhook-sender.js';
import { WebhookDeliveryModel, WebhookQueueModel } from '../../src/webhooks/webhook.model.js';
import { createTestAuditLog, testOAuthSecrets } from '../helpers/app.js';

const production = AppRegistration({ allowClientSecretBasic: false, allowLoopbackHttp: false });
const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };
const registration = (urls: { webhookUrl?: string; jwksUri?: string }) => ({
  name: 'Probe',
  redirectUris: ['https://probe.example/cb'],
  ...(urls.jwksUri ? {} : { jwks }),
  ...urls,
});

const internalUrls = [
  'https://127.0.0.1/hooks',
  'https://localhost/hooks',
  'https://metadata.localhost/hooks',
  'https://10.1.2.3/hooks',
  'https://172.20.0.1/hooks',
  'https://192.168.1.1/hooks',
  'https://169.254.169.254/latest/meta-data',
  'https://[::1]/hooks',
  'https://[fd00::1]/hooks',
  'https://[::ffff:127.0.0.1]/hooks',
];

describe('apps cannot point the server at internal addresses (server-side request forgery)', function () {
  this.timeout(60_000);
  let receiver: Server;
  let received = 0;

  before(async () => {
    receiver = createServer((_req, res) => {
      received += 1;
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  after(() => receiver.close());

  it('in production, registration refuses webhook and JWKS URLs at this machine or a private network, naming the field', () => {
    for (const url of internalUrls) {
      for (const field of ['webhookUrl', 'jwksUri'] as const) {
        const result = production.safeParse(registration({ [field]: url }));
        assert.equal(result.success, false, `${field} ${url}`);
        assert.deepEqual(result.error!.issues[0]!.path, [field], `${field} ${url}`);
      }
    }
    assert.equal(
      production.safeParse(registration({ webhookUrl: 'https://hooks.budgetbuddy.example/x' })).success,
      true,
    );
  });

  it('knows the internal ranges, and not public addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '100.64.0.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ])
      assert.equal(isInternalAddress(address), true, address);
    for (const address of ['198.51.100.7', '8.8.8.8', '2001:db8::1', '2a00:1450::1'])
      assert.equal(isInternalAddress(address), false, address);
  });

  it('in production, a webhook whose name resolves to an internal address at delivery is refused before connecting, and the attempt recorded', async () => {
    const webhooks = createWebhooks({
      audit: createTestAuditLog(),
      logger: createLogger('silent'),
      publicUrl: 'https://bank.example',
      signingKey: testOAuthSecrets.webhookKey,
      allowInternalAddresses: false,
    });
    // As if registered when the name still resolved to a public address (DNS rebinding).
    const id = randomUUID();
    const port = (receiver.address() as AddressInfo).port;
    await WebhookDeliveryModel.create({
      _id: id,
      clientId: 'app-ssrf-probe',
      consentId: `aac-${id}`,
      event: 'consent.revoked',
      url: `http://localhost:${port}/hooks`,
      claims: { event: 'consent.revoked' },
      status: 'pending',
      createdAt: new Date(),
    });
    await WebhookQueueModel.create({ _id: id, nextAttemptAt: new Date(0) });
    for (let i = 0; i < 80; i++) {
      if ((await WebhookDeliveryModel.findById(id).lean())?.attempts.length) break;
      await webhooks.deliverDue();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await webhooks.release();
    const delivery = await WebhookDeliveryModel.findById(id).lean();
    assert.match(
      delivery?.attempts[0]?.error ?? '',
      /localhost resolves to (127\.0\.0\.1|::1), an internal address/,
    );
    assert.equal(received, 0, 'nothing reached the internal address');
  });
});
