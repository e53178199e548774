import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { obBasePath } from '../../src/open-banking/ob-api.js';
import type { Agent } from '../helpers/agent.js';
import { assertUnchanged, snapshotDatabase, type DatabaseSnapshot } from '../helpers/db-snapshot.js';
import { csrfOf } from '../helpers/oauth-client.js';
import { fillPath, stateChanging, walkRoutes } from './page-routes.js';
import {
  clientToken,
  obCall,
  openConsentScreen,
  securityWorld,
  verificationRunsSettled,
  type SecurityWorld,
} from './world.js';

/** Sends a body in chunks without a Content-Length, so only the bytes received can tell its size. */
function postChunked(url: string, contentType: string, chunk: string, chunks: number) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': contentType } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => (body += part));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may answer and close before every chunk is written.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    for (let i = 0; i < chunks; i++) req.write(chunk);
    req.end();
  });
}

describe('body size limits: over-limit bodies get 413 with a clear error and change nothing', function () {
  this.timeout(60_000);
  let w: SecurityWorld;
  let screen: Awaited<ReturnType<typeof openConsentScreen>>;
  let initial: DatabaseSnapshot;
  let token: string;

  before(async () => {
    w = await securityWorld();
    screen = await openConsentScreen(w.server.issuer, w.linked.app, w.linked.c, w.linked.person);
    token = await clientToken(w.linked.c);
    await verificationRunsSettled();
    initial = await snapshotDatabase();
  });
  after(async () => w?.close());

  /** Each state-changing page route with who sends it and a valid CSRF token, so only the size is wrong. */
  function pageRoutes() {
    const params = {
      uid: screen.uid,
      consentId: w.linked.consentId,
      accountId: w.linked.accounts[0]!.accountId,
      clientId: w.linked.app.clientId,
      cardholderId: w.linked.person.customerId!,
    };
    return walkRoutes(w.server.app)
      .filter((r) => r.csrfProtected && stateChanging.has(r.method))
      .map((r) => {
        const path = fillPath(r.path, params);
        const sender = r.roles?.includes('customer')
          ? w.customer
          : r.roles?.includes('compliance')
            ? w.compliance
            : r.roles?.includes('admin')
              ? w.admin
              : undefined;
        return { key: `${r.method} ${r.path}`, path, sender };
      });
  }

  async function post(
    route: ReturnType<typeof pageRoutes>[number],
    body: string,
    contentType = 'application/x-www-form-urlencoded',
  ) {
    if (route.path.startsWith('/oauth/interaction/')) {
      const res = await screen.browser.fetch(`${w.server.issuer}${route.path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, 'x-csrf-token': csrfOf(screen.html) },
      });
      return { status: res.status, text: await res.text() };
    }
    const agent: Agent = route.sender?.agent ?? (await import('supertest')).default.agent(w.server.app);
    const res = await agent
      .post(route.path)
      .set('content-type', contentType)
      .set('x-csrf-token', route.sender?.csrf ?? '')
      .send(body);
    return { status: res.status, text: res.text };
  }

  it('every form route: a body over 20 KB, and a form with too many fields, answer 413 and say why', async () => {
    const routes = pageRoutes();
    assert.ok(routes.length >= 12);
    for (const route of routes) {
      const csrf = route.path.startsWith('/oauth/') ? csrfOf(screen.html) : (route.sender?.csrf ?? '');
      const big = await post(route, `_csrf=${encodeURIComponent(csrf)}&name=${'x'.repeat(21 * 1024)}`);
      assert.equal(big.status, 413, `${route.key}: ${big.status}`);
      assert.match(big.text, /too large/, route.key);
      const many = await post(
        route,
        [`_csrf=${encodeURIComponent(csrf)}`, ...Array.from({ length: 60 }, (_, i) => `f${i}=1`)].join('&'),
      );
      assert.equal(many.status, 413, `${route.key}: ${many.status}`);
      assert.match(many.text, /too many fields/, route.key);
    }
  });

  it('a form body sent in chunks without a length is cut off at the limit too', async () => {
    const res = await postChunked(
      `${w.server.issuer}/signin`,
      'application/x-www-form-urlencoded',
      'x'.repeat(4096),
      16,
    );
    assert.equal(res.status, 413);
    assert.match(res.body, /too large/);
  });

  it('the compliance JSON API: a JSON body over the limit answers 413 in JSON and signs nothing', async () => {
    for (const path of ['/api/compliance/checkpoints', '/api/compliance/verifications']) {
      const res = await w.compliance.agent
        .post(path)
        .set('x-csrf-token', w.compliance.csrf)
        .set('content-type', 'application/json')
        .send(JSON.stringify({ note: 'x'.repeat(40 * 1024) }));
      assert.equal(res.status, 413, path);
      assert.equal(res.body.error, 'entity.too.large', path);
      assert.match(res.body.message, /too large/, path);
    }
  });

  it('the OB API: a consent request over 32 KB answers 413 with an OB error body and creates no consent', async () => {
    const url = `${w.server.issuer}${obBasePath}/account-access-consents`;
    const body = JSON.stringify({
      Data: { Permissions: ['ReadAccountsBasic'] },
      Risk: { Padding: 'x'.repeat(40 * 1024) },
    });
    const res = await obCall(w.linked.c, token, 'POST', url, { body, contentType: 'application/json' });
    assert.equal(res.status, 413);
    assert.equal(res.body.Code, '413 PayloadTooLarge');
    assert.deepEqual(
      (res.body.Errors as { ErrorCode: string; Message: string }[]).map((e) => [e.ErrorCode, e.Message]),
      [['U013', 'The request body is too large']],
    );
    const chunked = await postChunked(url, 'application/json', `{"Risk":"${'x'.repeat(4096)}`, 12);
    assert.equal(chunked.status, 413);
    assert.match(chunked.body, /"ErrorCode":"U013"/);
  });

  it('changed nothing in the database', async () => {
    // Over-limit bodies are refused before any route, session or token is looked at.
    assertUnchanged(initial, await snapshotDatabase(), 'over-limit bodies');
  });
});
