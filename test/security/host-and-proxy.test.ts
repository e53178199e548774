import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { csrfFrom } from '../helpers/agent.js';
import { auditEventsWhere } from '../helpers/audit.js';
import { buildTestApp } from '../helpers/app.js';
import { uniqueEmail } from '../helpers/factories.js';
import { startOAuthServer } from '../helpers/oauth-client.js';

type Discovery = Record<string, unknown>;
const publishedUrls = (doc: Discovery) =>
  Object.entries(doc)
    .filter(
      ([key, value]) => typeof value === 'string' && (key.endsWith('_endpoint') || key.endsWith('_uri')),
    )
    .map(([, value]) => value as string);

describe('the server publishes only PUBLIC_URL and answers only at its host', function () {
  this.timeout(60_000);

  it('a forged Host or X-Forwarded-Host is refused (421), on the authorisation server, the OB API and the pages', async () => {
    const app = buildTestApp({ PUBLIC_URL: 'https://bank.example', TRUST_PROXY: '1' });
    for (const path of [
      '/.well-known/openid-configuration',
      '/oauth/jwks',
      '/open-banking/v4.0/aisp/accounts',
      '/signin',
    ]) {
      const forgedHost = await request(app).get(path).set('Host', 'evil.example');
      assert.equal(forgedHost.status, 421, `${path} with Host: evil.example`);
      const forgedProxy = await request(app)
        .get(path)
        .set('Host', 'bank.example')
        .set('X-Forwarded-Host', 'evil.example')
        .set('X-Forwarded-Proto', 'https');
      assert.equal(forgedProxy.status, 421, `${path} with X-Forwarded-Host: evil.example`);
    }
    const ob = await request(app).get('/open-banking/v4.0/aisp/accounts').set('Host', 'evil.example');
    assert.match(ob.body.Code, /^421/, 'an OB error body on the OB API');
  });

  it('discovery at the right host lists only PUBLIC_URL endpoints, whatever scheme or proxy headers the request came with', async () => {
    const app = buildTestApp({ PUBLIC_URL: 'https://bank.example', TRUST_PROXY: '1' });
    for (const headers of [
      { Host: 'bank.example' },
      { Host: 'bank.example', 'X-Forwarded-Proto': 'http' },
      { Host: 'bank.example', 'X-Forwarded-Host': 'bank.example', 'X-Forwarded-Proto': 'https' },
    ]) {
      const res = await request(app).get('/.well-known/openid-configuration').set(headers).expect(200);
      const urls = publishedUrls(res.body as Discovery);
      assert.ok(urls.length >= 5, 'jwks_uri and the endpoints');
      for (const url of urls)
        assert.ok(url.startsWith('https://bank.example/'), `${url} (${JSON.stringify(headers)})`);
    }
  });

  it('on a development PUBLIC_URL, the machine’s other loopback names are served, with PUBLIC_URL’s URLs', async () => {
    const server = await startOAuthServer();
    try {
      const port = new URL(server.issuer).port;
      const res = await request(server.app)
        .get('/.well-known/openid-configuration')
        .set('Host', `localhost:${port}`)
        .expect(200);
      for (const url of publishedUrls(res.body as Discovery))
        assert.ok(url.startsWith(`${server.issuer}/`), url);
      await request(server.app)
        .get('/.well-known/openid-configuration')
        .set('Host', 'evil.example')
        .expect(421);
    } finally {
      await server.close();
    }
  });
});

/** A failed sign-in through a proxy that appends the address it saw to the client's own X-Forwarded-For. */
async function failedSignIn(app: Express, forwardedFor: string) {
  const agent = request.agent(app).set('X-Forwarded-For', forwardedFor);
  const csrf = csrfFrom((await agent.get('/signin')).text);
  const email = uniqueEmail();
  const res = await agent.post('/signin').type('form').send({ _csrf: csrf, email, password: 'wrong' });
  return { status: res.status, email };
}

describe('TRUST_PROXY: the client address comes from the proxies trusted, never from the client', function () {
  this.timeout(120_000);

  for (const trust of ['1', 'loopback', '127.0.0.1/8']) {
    it(`with TRUST_PROXY=${trust}, addresses the client writes itself are ignored: the throttle and the audit log see the proxy’s`, async () => {
      const app = buildTestApp({ TRUST_PROXY: trust, SIGNIN_MAX_FAILURES_PER_IP: '5' });
      const client = `203.0.113.${10 + ['1', 'loopback', '127.0.0.1/8'].indexOf(trust)}`;
      const statuses = [];
      let first: string | undefined;
      for (let i = 0; i < 7; i++) {
        // Each attempt claims another address; the proxy appends the one it really saw.
        const attempt = await failedSignIn(app, `198.51.100.${i + 1}, ${client}`);
        statuses.push(attempt.status);
        first ??= attempt.email;
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
      const [event] = await auditEventsWhere({ action: 'auth.sign_in_failed', 'actor.id': first });
      assert.equal(event?.ip, client, 'the audit log records the address the proxy saw');
    });
  }

  it('two clients behind one trusted proxy are told apart: one’s failures do not lock the other out', async () => {
    const app = buildTestApp({ TRUST_PROXY: '1', SIGNIN_MAX_FAILURES_PER_IP: '3' });
    for (let i = 0; i < 4; i++) await failedSignIn(app, '203.0.113.20');
    assert.equal((await failedSignIn(app, '203.0.113.20')).status, 429);
    assert.equal((await failedSignIn(app, '203.0.113.21')).status, 401, 'another client is still let in');
  });

  it('TRUST_PROXY=true (every hop) is refused at start-up, saying what to give instead', () => {
    assert.throws(
      () => loadConfig({ TRUST_PROXY: 'true' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /TRUST_PROXY: trusting every hop lets clients choose/.test(error.message),
    );
    assert.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' }), ConfigError);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).TRUST_PROXY, [
      '10.0.0.0/8',
      'loopback',
    ]);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY, 2);
    assert.equal(loadConfig({}).TRUST_PROXY, false);
  });
});
