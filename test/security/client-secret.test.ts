import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import * as client from 'openid-client';
import { AppModel } from '../../src/apps/app.model.js';
import { csrfFrom, signedInAgent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';
import { startOAuthServer } from '../helpers/oauth-client.js';

/** A client-credentials token for `secret`, with DPoP, as an app on client_secret_basic asks for one. */
async function tokenWith(issuer: string, clientId: string, secret: string) {
  const config = await client.discovery(
    new URL(issuer),
    clientId,
    { token_endpoint_auth_method: 'client_secret_basic' },
    client.ClientSecretBasic(secret),
    { execute: [client.allowInsecureRequests] },
  );
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  return client.clientCredentialsGrant(config, { scope: 'accounts' }, { DPoP });
}

describe('client_secret_basic: the secret is shown once and never kept', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer({ ALLOW_CLIENT_SECRET_BASIC: 'true' });
  });
  after(async () => server?.close());

  it('registration shows the secret on its answer alone; the database and the session hold only its hash', async () => {
    const { agent } = await signedInAgent(server.app, await createPerson('admin'));
    const form = await agent.get('/admin/apps/new').expect(200);
    const registered = await agent
      .post('/admin/apps')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        name: `Secret Keeper ${Date.now()}`,
        purpose: 'Budgets and spending insights from your card transactions.',
        redirectUris: `${server.issuer}/cb`,
        jwks: '',
        webhookUrl: '',
        tokenEndpointAuthMethod: 'client_secret_basic',
      })
      .expect(201);
    const secret = /<p class="mono">([\w-]{32})<\/p>/.exec(registered.text)?.[1];
    assert.ok(secret, 'the secret is on the page');
    const clientId = /<dd class="mono">(app-[0-9a-f]+)<\/dd>/.exec(registered.text)![1]!;

    const stored = await AppModel.findById(clientId).lean();
    assert.ok(stored?.clientSecretHash, 'a hash is stored');
    assert.ok(!JSON.stringify(stored).includes(secret), 'the secret is not stored');
    const sessions = await mongoose.connection.db!.collection('sessions').find({}).toArray();
    assert.ok(!JSON.stringify(sessions).includes(secret), 'nor kept in any session');
    const again = await agent.get(`/admin/apps/${clientId}`).expect(200);
    assert.ok(!again.text.includes(secret), 'the app page does not show it again');

    const tokens = await tokenWith(server.issuer, clientId, secret);
    assert.equal(tokens.token_type, 'dpop', 'the app authenticates with its secret');
    await assert.rejects(
      tokenWith(server.issuer, clientId, stored.clientSecretHash!),
      (error: { status?: number; cause?: { parameters?: { error?: string } }[] }) =>
        error.status === 401 && error.cause?.[0]?.parameters?.error === 'invalid_client',
      'the stored hash is no use as a secret',
    );
  });
});
