import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Express } from 'express';
import mongoose from 'mongoose';
import * as client from 'openid-client';
import request from 'supertest';
import { buildTestApp, testAuditKeyPem, uniqueIp } from '../helpers/app.js';
import { csrfFrom } from '../helpers/agent.js';
import { createPerson, type TestPerson } from '../helpers/factories.js';
import { appClient, registerTestApp, startOAuthServer } from '../helpers/oauth-client.js';

const cookieName = 'cm.sid';

function setCookies(res: { headers: Record<string, unknown> }): string[] {
  const value = res.headers['set-cookie'];
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}

/** The session cookie's value (`s:<id>.<signature>`, URL-encoded) from a response, if it sets one. */
function sessionCookieOf(res: { headers: Record<string, unknown> }): string | undefined {
  return setCookies(res)
    .find((line) => line.startsWith(`${cookieName}=`))
    ?.split(';')[0]!
    .slice(cookieName.length + 1);
}

const sessionIdOf = (cookie: string) => /^s%3A([^.]+)\./.exec(cookie)?.[1];
const sessionStored = async (id: string) =>
  (await mongoose.connection.db!.collection('sessions').countDocuments({ _id: id as never })) > 0;

async function signIn(app: Express, person: TestPerson, cookie?: string) {
  const ip = uniqueIp();
  const page = await request(app)
    .get('/signin')
    .set('X-Forwarded-For', ip)
    .set('Cookie', cookie ? `${cookieName}=${cookie}` : '');
  const before = sessionCookieOf(page) ?? cookie;
  const res = await request(app)
    .post('/signin')
    .set('X-Forwarded-For', ip)
    .set('Cookie', `${cookieName}=${before}`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: person.email, password: person.password })
    .expect(303);
  return { before: before!, after: sessionCookieOf(res)!, ip };
}

const signedInWith = async (app: Express, cookie: string) =>
  (await request(app).get('/my/accounts').set('Cookie', `${cookieName}=${cookie}`)).status === 200;

const ecPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();

describe('sessions: fixation and cookie flags', () => {
  let app: Express;
  let customer: TestPerson;
  before(async () => {
    app = buildTestApp();
    customer = await createPerson('customer');
  });

  describe('session fixation', () => {
    it('the session id set before sign-in is replaced at sign-in, and the old one is gone from the store', async () => {
      const { before, after } = await signIn(app, customer);
      assert.ok(after, 'sign-in sets a session cookie');
      assert.notEqual(sessionIdOf(after), sessionIdOf(before));
      assert.equal(await sessionStored(sessionIdOf(before)!), false);
      assert.equal(await sessionStored(sessionIdOf(after)!), true);
      assert.equal(await signedInWith(app, after), true);
      assert.equal(
        await signedInWith(app, before),
        false,
        'the pre-sign-in cookie does not carry the sign-in',
      );
    });

    it('a real anonymous session planted by an attacker is not the one the victim gets, and stays anonymous', async () => {
      // The attacker opens the sign-in page, keeps the cookie, and plants it in the victim's browser.
      const planted = sessionCookieOf(await request(app).get('/signin').expect(200))!;
      assert.ok(planted);
      const { after } = await signIn(app, customer, planted);
      assert.notEqual(sessionIdOf(after), sessionIdOf(planted));
      assert.equal(await signedInWith(app, planted), false);
      assert.equal(await signedInWith(app, after), true);
    });

    for (const [label, forged] of [
      ['an unsigned id', 'attacker-chosen-session-id'],
      ['an id with a bad signature', 's%3Aattacker-chosen-session-id.badsignature'],
    ] as const) {
      it(`a cookie with ${label} is ignored: the server issues its own id and never stores the attacker's`, async () => {
        const page = await request(app).get('/signin').set('Cookie', `${cookieName}=${forged}`).expect(200);
        const issued = sessionCookieOf(page);
        assert.ok(issued, 'a fresh session cookie is issued');
        assert.notEqual(issued, forged);
        assert.doesNotMatch(issued, /attacker-chosen/);
        const { after } = await signIn(app, customer, forged);
        assert.doesNotMatch(after, /attacker-chosen/);
        assert.equal(await sessionStored('attacker-chosen-session-id'), false);
        assert.equal(await signedInWith(app, forged), false);
      });
    }

    it('sign-out destroys the session: its cookie no longer signs anyone in', async () => {
      const { after } = await signIn(app, customer);
      const page = await request(app).get('/my/accounts').set('Cookie', `${cookieName}=${after}`).expect(200);
      await request(app)
        .post('/signout')
        .set('Cookie', `${cookieName}=${after}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(303);
      assert.equal(await sessionStored(sessionIdOf(after)!), false);
      assert.equal(await signedInWith(app, after), false);
    });
  });

  describe('cookie flags', () => {
    it('the session cookie is HttpOnly, SameSite=Lax, Path=/, expiring, and not Secure over plain http outside production', async () => {
      const page = await request(app).get('/signin').expect(200);
      const line = setCookies(page).find((l) => l.startsWith(`${cookieName}=`))!;
      assert.ok(line, 'the sign-in page sets a session cookie');
      const attributes = line.split(/;\s*/).slice(1);
      assert.ok(attributes.includes('HttpOnly'), line);
      assert.ok(attributes.includes('SameSite=Lax'), line);
      assert.ok(attributes.includes('Path=/'), line);
      assert.ok(
        attributes.some((a) => a.startsWith('Expires=')),
        line,
      );
      assert.ok(!attributes.includes('Secure'), line);
    });

    it('in production the session cookie is Secure, and is never set over plain http', async () => {
      const production = buildTestApp({
        NODE_ENV: 'production',
        AUDIT_SIGNING_KEY: testAuditKeyPem,
        OAUTH_SIGNING_KEY: ecPem(),
        OAUTH_COOKIE_SECRET: 'production-like-oauth-cookie-secret-0123456789',
        RECEIPT_SIGNING_KEY: ecPem(),
        WEBHOOK_SIGNING_KEY: ecPem(),
      });
      const overTls = await request(production).get('/signin').set('X-Forwarded-Proto', 'https').expect(200);
      const line = setCookies(overTls).find((l) => l.startsWith(`${cookieName}=`))!;
      assert.ok(line, 'a session cookie over https');
      const attributes = line.split(/;\s*/).slice(1);
      for (const flag of ['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/'])
        assert.ok(attributes.includes(flag), line);
      const overHttp = await request(production).get('/signin').expect(200);
      assert.equal(sessionCookieOf(overHttp), undefined, 'no session cookie over plain http');
      assert.match(overTls.headers['strict-transport-security'] ?? '', /max-age=\d+/);
    });

    it('responses of the APIs, public documents, static files and anonymous error pages set no cookie', async () => {
      const paths = [
        '/openapi.json',
        '/.well-known/audit-keys.json',
        '/.well-known/openid-configuration',
        '/oauth/jwks',
        '/open-banking/v4.0/aisp/accounts',
        '/open-banking/v4.0/aisp/account-access-consents/aac-1',
        '/api/compliance/events',
        '/public/css/app.css',
        '/public/vendor/chart.umd.min.js',
        '/no/such/page',
        '/my/accounts',
        '/',
      ];
      for (const path of paths) {
        const res = await request(app).get(path).set('Accept', 'text/html,application/json');
        assert.ok(res.status < 500, `${path}: ${res.status}`);
        assert.deepEqual(setCookies(res), [], `${path} (${res.status}) sets no cookie`);
      }
      const post = await request(app).post('/open-banking/v4.0/aisp/account-access-consents').send({});
      assert.deepEqual(setCookies(post), []);
    });

    it('the authorisation server’s own cookies are HttpOnly and SameSite=Lax', async function () {
      this.timeout(30_000);
      const server = await startOAuthServer();
      try {
        const registered = await registerTestApp(server.issuer);
        const c = await appClient(server.issuer, registered);
        const url = await client.buildAuthorizationUrlWithPAR(
          c.config,
          {
            redirect_uri: registered.redirectUri,
            scope: 'openid accounts',
            code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
            code_challenge_method: 'S256',
            claims: JSON.stringify({
              id_token: { openbanking_intent_id: { value: 'aac-x', essential: true } },
            }),
          },
          { DPoP: c.DPoP },
        );
        const res = await fetch(url, { redirect: 'manual' });
        const lines = res.headers.getSetCookie();
        assert.ok(lines.length > 0, 'the authorisation endpoint sets its interaction cookies');
        for (const line of lines) {
          const attributes = line
            .split(/;\s*/)
            .slice(1)
            .map((a) => a.toLowerCase());
          assert.ok(attributes.includes('httponly'), line);
          assert.ok(attributes.includes('samesite=lax'), line);
        }
      } finally {
        await server.close();
      }
    });
  });
});
