import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { SigninThrottleModel } from '../../src/auth/signin-throttle.model.js';
import { buildTestApp } from '../helpers/app.js';
import { anonymousAgent, csrfFrom } from '../helpers/agent.js';
import { createPerson, uniqueEmail } from '../helpers/factories.js';
import { lastAuditEventWhere } from '../helpers/audit.js';

describe('sign-in', () => {
  let app: Express;
  before(() => {
    app = buildTestApp();
  });

  describe('GET /signin', () => {
    it('shows a form with Email, Password and a Sign in button, and no inline script', async () => {
      const res = await request(app).get('/signin').expect(200);
      assert.match(res.text, /<label for="email">Email<\/label>/);
      assert.match(res.text, /<label for="password">Password<\/label>/);
      assert.match(res.text, /<button type="submit" class="button primary">Sign in<\/button>/);
      assert.doesNotMatch(res.text, /<script(?![^>]*src=)/);
      assert.match(res.headers['content-security-policy'] ?? '', /script-src 'self'/);
    });
  });

  describe('POST /signin', () => {
    it('with the right password, signs in with a new session id and lands on the accounts page', async () => {
      const customer = await createPerson('customer');
      const { agent, csrf } = await anonymousAgent(app);
      const before = await agent.get('/signin');
      const cookieBefore = sessionCookie(before.headers['set-cookie']) ?? 'none';

      const res = await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: csrf, email: customer.email.toUpperCase(), password: customer.password })
        .expect(303);
      assert.equal(res.headers.location, '/my/accounts');
      const cookieAfter = sessionCookie(res.headers['set-cookie']);
      assert.ok(cookieAfter, 'a session cookie is set');
      assert.notEqual(cookieAfter, cookieBefore, 'the session id is rotated at sign-in');
      assert.match(res.headers['set-cookie']?.[0] ?? '', /HttpOnly/);
      assert.match(res.headers['set-cookie']?.[0] ?? '', /SameSite=Lax/);
      await agent.get('/my/accounts').expect(200);
      const event = await lastAuditEventWhere({ action: 'auth.signed_in', 'actor.id': customer.email });
      assert.equal(event?.outcome, 'success');
      assert.equal(event?.customerId, customer.customerId);
      assert.ok(event?.requestId && event.ip, 'request id and client IP are kept');
    });

    it('with a wrong password, answers 401 with a generic message', async () => {
      const customer = await createPerson('customer');
      const { agent, csrf } = await anonymousAgent(app);
      const res = await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: csrf, email: customer.email, password: 'wrong' })
        .expect(401);
      assert.match(res.text, /Email or password is incorrect\./);
      assert.ok(res.text.includes(`value="${customer.email}"`), 'the email is kept in the form');
      const event = await lastAuditEventWhere({ action: 'auth.sign_in_failed', 'actor.id': customer.email });
      assert.deepEqual(
        [event?.outcome, event?.reason, event?.customerId],
        ['failure', 'wrong_password', customer.customerId],
      );
    });

    it('with an unknown email, answers exactly as for a wrong password', async () => {
      const { agent, csrf } = await anonymousAgent(app);
      const res = await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: csrf, email: uniqueEmail('nobody'), password: 'whatever' })
        .expect(401);
      assert.match(res.text, /Email or password is incorrect\./);
    });

    it('without a CSRF token, refuses with 403 and does not sign in', async () => {
      const customer = await createPerson('customer');
      const { agent } = await anonymousAgent(app);
      const res = await agent
        .post('/signin')
        .type('form')
        .send({ email: customer.email, password: customer.password })
        .expect(403);
      assert.match(res.text, /This form has expired or was not sent from this site/);
      await agent.get('/my/accounts').expect(303);
    });

    it('with a CSRF token from another session, refuses with 403', async () => {
      const customer = await createPerson('customer');
      const other = await anonymousAgent(app);
      const { agent } = await anonymousAgent(app);
      await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: other.csrf, email: customer.email, password: customer.password })
        .expect(403);
    });

    it('with a malformed email, answers 422 naming the field', async () => {
      const { agent, csrf } = await anonymousAgent(app);
      const res = await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: csrf, email: 'not-an-email', password: 'x' })
        .expect(422);
      assert.match(res.text, /id="email-error">Enter an email address like name@example.com/);
      assert.match(res.text, /aria-invalid="true"/);
    });

    it('with an unexpected field, answers 422 and names it', async () => {
      const { agent, csrf } = await anonymousAgent(app);
      const res = await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: csrf, email: 'a@example.com', password: 'x', role: 'admin' })
        .expect(422);
      assert.match(res.text, /role/);
    });

    it('after 5 failures for one account, refuses even the right password with 429 and Retry-After', async () => {
      const customer = await createPerson('customer');
      for (let i = 0; i < 5; i++) {
        const { agent, csrf } = await anonymousAgent(app);
        await agent
          .post('/signin')
          .type('form')
          .send({ _csrf: csrf, email: customer.email, password: 'bad' })
          .expect(401);
      }
      const { agent, csrf } = await anonymousAgent(app);
      const res = await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: csrf, email: customer.email, password: customer.password })
        .expect(429);
      assert.match(res.text, /Too many failed sign-in attempts/);
      assert.ok(Number(res.headers['retry-after']) > 0);
      const event = await lastAuditEventWhere({ action: 'auth.sign_in_failed', 'actor.id': customer.email });
      assert.equal(event?.reason, 'throttled');
    });

    it('after too many failures from one IP, refuses that IP for any account', async () => {
      const limited = buildTestApp({ SIGNIN_MAX_FAILURES_PER_IP: '3' });
      const { agent, csrf, ip } = await anonymousAgent(limited);
      for (let i = 0; i < 3; i++) {
        await agent
          .post('/signin')
          .type('form')
          .send({ _csrf: csrf, email: uniqueEmail(), password: 'x' })
          .expect(401);
      }
      const customer = await createPerson('customer');
      await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: csrf, email: customer.email, password: customer.password })
        .expect(429);
      assert.ok(await SigninThrottleModel.exists({ _id: { $regex: `^ip:${ip.replaceAll('.', '\\.')}#` } }));
    });

    it('follows a same-site next path, but never an external one', async () => {
      const customer = await createPerson('customer');
      const { agent, csrf } = await anonymousAgent(app);
      const res = await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: csrf, email: customer.email, password: customer.password, next: '//evil.example/x' })
        .expect(303);
      assert.equal(res.headers.location, '/my/accounts');
    });
  });

  describe('POST /signout', () => {
    it('ends the session', async () => {
      const customer = await createPerson('customer');
      const { agent, csrf } = await anonymousAgent(app);
      await agent
        .post('/signin')
        .type('form')
        .send({ _csrf: csrf, email: customer.email, password: customer.password });
      const page = await agent.get('/my/accounts').expect(200);
      await agent
        .post('/signout')
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(303);
      const after = await agent.get('/my/accounts').expect(303);
      assert.equal(after.headers.location, '/signin?next=%2Fmy%2Faccounts');
    });
  });
});

function sessionCookie(setCookie: string[] | string | undefined): string | undefined {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return cookies.find((c) => c.startsWith('cm.sid='))?.split(';')[0];
}
