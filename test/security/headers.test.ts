import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { VerificationRunModel } from '../../src/compliance/verification-run.model.js';
import { finishedEvidencePack } from '../helpers/exports.js';
import { lastAuditEventWhere } from '../helpers/audit.js';
import { fillPath, walkRoutes } from './page-routes.js';
import { openConsentScreen, securityWorld, type SecurityWorld } from './world.js';

type Answer = { status: number; headers: Record<string, string>; text: string };

/** The directives of a Content-Security-Policy header. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

const unsafeSources = [
  "'unsafe-inline'",
  "'unsafe-eval'",
  "'unsafe-hashes'",
  '*',
  'data:',
  'http:',
  'https:',
  'blob:',
];

/** Helmet's headers as configured in src/http/security-headers.ts. */
function assertSecurityHeaders(res: Answer, label: string, formAction = ["'self'"]) {
  const h = res.headers;
  const csp = directives(h['content-security-policy'] ?? '');
  assert.deepEqual(csp.get('default-src'), ["'self'"], `${label}: default-src`);
  assert.deepEqual(csp.get('script-src'), ["'self'"], `${label}: script-src`);
  assert.deepEqual(csp.get('style-src'), ["'self'"], `${label}: style-src`);
  for (const [name, values] of csp) {
    if (name === 'img-src') assert.deepEqual(values, ["'self'", 'data:'], `${label}: img-src`);
    else if (name !== 'form-action')
      assert.ok(!values.some((v) => unsafeSources.includes(v)), `${label}: ${name} ${values.join(' ')}`);
  }
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], `${label}: frame-ancestors`);
  assert.deepEqual(csp.get('object-src'), ["'none'"], `${label}: object-src`);
  assert.deepEqual(csp.get('base-uri'), ["'none'"], `${label}: base-uri`);
  assert.deepEqual(csp.get('form-action'), formAction, `${label}: form-action`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${label}: X-Content-Type-Options`);
  assert.equal(h['x-frame-options'], 'DENY', `${label}: X-Frame-Options`);
  assert.equal(h['referrer-policy'], 'no-referrer', `${label}: Referrer-Policy`);
  assert.match(h['strict-transport-security'] ?? '', /^max-age=\d{7,}; includeSubDomains$/, `${label}: HSTS`);
  assert.equal(h['cross-origin-opener-policy'], 'same-origin', `${label}: COOP`);
  assert.equal(h['cross-origin-resource-policy'], 'same-origin', `${label}: CORP`);
  assert.equal(h['x-permitted-cross-domain-policies'], 'none', `${label}: X-Permitted-Cross-Domain-Policies`);
  assert.equal(h['x-powered-by'], undefined, `${label}: X-Powered-By`);
  if (/text\/html/.test(h['content-type'] ?? '')) {
    // The policy only holds if the pages need nothing it forbids.
    assert.doesNotMatch(res.text, /<script(?![^>]*\ssrc=)[^>]*>/i, `${label}: inline script`);
    assert.doesNotMatch(res.text, /\son[a-z]+\s*=/i, `${label}: inline event handler`);
    assert.doesNotMatch(res.text, /\sstyle\s*=/i, `${label}: inline style attribute`);
    assert.doesNotMatch(res.text, /<style[\s>]/i, `${label}: inline style element`);
    assert.doesNotMatch(res.text, /javascript:/i, `${label}: javascript: URL`);
  }
}

const answer = (res: request.Response): Answer => ({
  status: res.status,
  headers: res.headers as Record<string, string>,
  text: res.text ?? '',
});

/** Moves the last route registered to just before the app's 404 handler, so a test route is reachable. */
function mountBeforeNotFound(app: Express) {
  const stack = (app as unknown as { router: { stack: { handle: { name: string } }[] } }).router.stack;
  const layer = stack.pop()!;
  stack.splice(
    stack.findIndex((l) => l.handle.name === 'notFound'),
    0,
    layer,
  );
}

describe('security headers on every page, API answer and error page', function () {
  this.timeout(60_000);
  let w: SecurityWorld;
  let screen: Awaited<ReturnType<typeof openConsentScreen>>;
  let params: Record<string, string>;

  before(async () => {
    w = await securityWorld();
    const { linked } = w;
    screen = await openConsentScreen(w.server.issuer, linked.app, linked.c, linked.person);
    // A finished verification run for its page (a real run verifies the whole log, which other tests grow).
    const runId = randomUUID();
    await VerificationRunModel.create({
      _id: runId,
      status: 'done',
      startedBy: 'headers-test',
      startedAt: new Date(),
      finishedAt: new Date(),
    });
    // And a finished evidence pack with the same id, for the export's pages.
    await finishedEvidencePack(runId, w.compliance.person);
    params = {
      uid: screen.uid,
      consentId: linked.consentId,
      ConsentId: linked.consentId,
      accountId: linked.accounts[0]!.accountId,
      AccountId: linked.accounts[0]!.accountId,
      clientId: linked.app.clientId,
      seq: String((await lastAuditEventWhere({ consentId: linked.consentId }))!.seq),
      id: runId,
    };
    const app = w.server.app;
    app.get('/test-only/failure', () => {
      throw new Error('an unexpected failure');
    });
    mountBeforeNotFound(app);
    app.get('/api/test-only/failure', () => {
      throw new Error('an unexpected failure');
    });
    mountBeforeNotFound(app);
  });
  after(async () => w?.close());

  // Exports and evidence packs for one consent, so they stay small whatever else the log holds.
  const queries: Record<string, string> = {
    '/compliance/export/review': '?consentId=:consentId',
    '/api/compliance/export': '?consentId=:consentId',
    '/api/compliance/evidence-pack': '?consentId=:consentId',
  };

  it('every GET route of the app answers with the strict CSP and the other headers', async () => {
    const routes = walkRoutes(w.server.app).filter(
      (r) => r.method === 'GET' && !r.path.includes('test-only'),
    );
    assert.ok(routes.length >= 35, `${routes.length} GET routes`);
    const agentFor = (roles: string[] | undefined) =>
      roles?.includes('customer')
        ? w.customer.agent
        : roles?.includes('compliance')
          ? w.compliance.agent
          : roles?.includes('admin')
            ? w.admin.agent
            : request(w.server.app);
    let pages = 0;
    for (const route of routes) {
      const path = fillPath(route.path + (queries[route.path] ?? ''), params);
      let res: Answer;
      if (route.path === '/oauth/interaction/:uid/preview') {
        // Opened in the customer's browser, as the consent screen's link does; checked as the
        // consent screen is, whose request it belongs to.
        const page = await screen.browser.fetch(`${w.server.issuer}${path}`);
        res = { status: page.status, headers: Object.fromEntries(page.headers), text: await page.text() };
        assertSecurityHeaders(res, path, ["'self'", new URL(w.linked.app.redirectUri).origin]);
      } else if (route.path === '/oauth/interaction/:uid') {
        const page = await screen.browser.fetch(`${w.server.issuer}${path}`);
        res = { status: page.status, headers: Object.fromEntries(page.headers), text: await page.text() };
        // The consent form redirects on to the app, so its origin is allowed as a form target there only.
        assertSecurityHeaders(res, path, ["'self'", new URL(w.linked.app.redirectUri).origin]);
      } else {
        res = answer(await agentFor(route.roles).get(path));
        assertSecurityHeaders(res, path);
      }
      if (route.path.startsWith('/open-banking/')) assert.equal(res.status, 401, path);
      // This world's customer holds no joint account: those pages answer 404, with the same headers.
      else if (/^\/my\/(sharing\/|shared\/)/.test(route.path)) assert.equal(res.status, 404, path);
      else assert.ok(res.status === 200 || res.status === 303, `${path}: ${res.status}`);
      if (route.csrfProtected && route.roles) {
        // Pages behind sign-in show personal or financial data: never cached.
        assert.equal(res.headers['cache-control'], 'no-store', `${path}: Cache-Control`);
        pages += 1;
      }
    }
    assert.ok(pages >= 25, `${pages} signed-in pages`);
  });

  it('the authorisation server’s documents and the static files carry them too', async () => {
    for (const path of [
      '/.well-known/openid-configuration',
      '/oauth/jwks',
      '/public/css/app.css',
      '/public/js/activity-charts.js',
      '/public/favicon.svg',
    ]) {
      const res = answer(await request(w.server.app).get(path));
      assert.equal(res.status, 200, path);
      assertSecurityHeaders(res, path);
    }
  });

  it('error pages carry them: 400, 401, 403, 404, 413 and 500, as HTML, JSON and OB error bodies', async () => {
    const app = w.server.app;
    const cases: [string, () => request.Test, number][] = [
      ['404 page', () => request(app).get('/no/such/page').set('Accept', 'text/html'), 404],
      ['404 JSON', () => request(app).get('/api/no/such/thing'), 404],
      ['404 OB', () => request(app).get('/open-banking/v4.0/aisp/no-such-resource'), 404],
      ['403 page', () => w.customer.agent.get('/admin'), 403],
      ['400 page', () => w.admin.agent.get('/admin/apps/not-a-client-id'), 400],
      ['401 JSON', () => request(app).get('/api/compliance/events'), 401],
      [
        '413 page',
        () =>
          request(app)
            .post('/signin')
            .type('form')
            .send({ email: 'x'.repeat(30_000) }),
        413,
      ],
      ['500 page', () => request(app).get('/test-only/failure').set('Accept', 'text/html'), 500],
      ['500 JSON', () => request(app).get('/api/test-only/failure'), 500],
    ];
    for (const [label, send, status] of cases) {
      const res = answer(await send());
      assert.equal(res.status, status, label);
      assertSecurityHeaders(res, label);
      assert.doesNotMatch(res.text, /an unexpected failure|at .*\.ts:\d+/, `${label} shows no internals`);
    }
  });
});
