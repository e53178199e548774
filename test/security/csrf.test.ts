import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readConsent } from '../../src/consents/consent.repository.js';
import { openConsentForCustomer } from '../../src/consents/consent-customer.service.js';
import { createConsent } from '../../src/consents/consent.service.js';
import { findUser } from '../../src/users/user.repository.js';
import { anonymousAgent, type Agent } from '../helpers/agent.js';
import {
  assertUnchanged,
  changedCollections,
  snapshotDatabase,
  type DatabaseSnapshot,
} from '../helpers/db-snapshot.js';
import { readSharing } from '../../src/sharing/sharing.repository.js';
import { createCustomerWithAccounts, createPerson, shareAccounts } from '../helpers/factories.js';
import { connectionsAwaitingApproval } from '../helpers/sharing.js';
import { csrfOf, type TestBrowser } from '../helpers/oauth-client.js';
import { fillPath, stateChanging, walkRoutes } from './page-routes.js';
import { openConsentScreen, securityWorld, verificationRunsSettled, type SecurityWorld } from './world.js';

type Form = Record<string, string | string[]>;
type Answer = { status: number; text: string };

/** How to send one state-changing request, and what a correct request answers. */
interface Fixture {
  send: (form: Form, headers?: Record<string, string>, query?: string) => Promise<Answer>;
  /** The CSRF token of the sender's session. */
  token: string;
  /** The rest of a valid submission. */
  form: Form;
  /** JSON API routes take the token in the X-CSRF-Token header. */
  header?: boolean;
  /** What the request answers with the right token (the positive control). */
  accepted: number;
  /** Checks, beyond the database snapshot, that the refused request had no effect. */
  noEffect?: () => Promise<void>;
}

const viaAgent =
  (agent: Agent, path: string) =>
  async (form: Form, headers: Record<string, string> = {}, query = ''): Promise<Answer> => {
    const res = await agent
      .post(`${path}${query}`)
      .set(headers)
      .type('form')
      .send(form as Record<string, string>);
    return { status: res.status, text: res.text };
  };

const viaBrowser =
  (browser: TestBrowser, url: string) =>
  async (form: Form, headers: Record<string, string> = {}, query = ''): Promise<Answer> => {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form))
      for (const item of [value].flat()) body.append(key, item);
    const res = await browser.fetch(`${url}${query}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
    return { status: res.status, text: await res.text() };
  };

describe('CSRF: every state-changing page route refuses a missing or wrong token and changes nothing', function () {
  this.timeout(60_000);
  let w: SecurityWorld;
  let fixtures: Record<string, Fixture>;
  let otherSessionToken: string;
  let afterRefusals: DatabaseSnapshot | undefined;

  before(async () => {
    w = await securityWorld();
    const { issuer, app } = w.server;
    const { linked } = w;
    const screen = await openConsentScreen(issuer, linked.app, linked.c, linked.person);
    const signedOut = await anonymousAgent(app);
    const newcomer = await createPerson('customer', 'newcomer');
    otherSessionToken = (await anonymousAgent(app)).csrf;
    const c = w.customer;
    const admin = w.admin;
    const officer = w.compliance;
    const signedIn = async (agent: Agent, path: string) =>
      assert.equal((await agent.get(path)).status, 200, `still signed in (${path})`);

    const p = {
      uid: screen.uid,
      consentId: linked.consentId,
      accountId: linked.accounts[0]!.accountId,
      clientId: linked.app.clientId,
    };
    const route = (pattern: string) => fillPath(pattern, p);
    // A request the customer opened and has not decided, for cancelling from her dashboard.
    const pending = await createConsent(
      w.server.consentDeps,
      linked.app.clientId,
      { Permissions: ['ReadAccountsBasic'] },
      {},
    );
    await openConsentForCustomer(w.server.consentDeps, linked.person.customerId!, pending._id);
    // The customer holds a joint account with a partner, who connected two apps to it, waiting for her.
    const partner = await createCustomerWithAccounts(3, 'partner');
    const household = await shareAccounts(linked, partner);
    const [approveConsent, stopConsent] = await connectionsAwaitingApproval(
      w.server.consentDeps,
      household,
      { sharer: partner.person.customerId!, other: linked.person.customerId! },
      linked.app.clientId,
    );
    const stageOf = async (consentId: string) =>
      (await readSharing(household.joint, new Date())).state.connections.find(
        (x) => x.consentId === consentId,
      )?.state;
    fixtures = {
      // Without `confirmed` these answer with their confirmation page.
      'POST /my/sharing/:accountId/option': {
        send: viaAgent(c.agent, `/my/sharing/${household.joint}/option`),
        token: c.csrf,
        form: { option: 'none' },
        accepted: 200,
      },
      'POST /my/sharing/:accountId/cardholders/:cardholderId': {
        send: viaAgent(c.agent, `/my/sharing/${household.card}/cardholders/${partner.person.customerId}`),
        token: c.csrf,
        form: { allowed: 'yes' },
        accepted: 200,
      },
      'POST /my/sharing/:accountId/proposal/decline': {
        send: viaAgent(c.agent, `/my/sharing/${household.joint}/proposal/decline`),
        token: c.csrf,
        form: {},
        accepted: 303,
        noEffect: async () =>
          assert.equal((await readSharing(household.joint, new Date())).state.proposal?.option, 'either'),
      },
      'POST /my/shared/:consentId/:accountId/approve': {
        send: viaAgent(c.agent, `/my/shared/${approveConsent}/${household.joint}/approve`),
        token: c.csrf,
        form: {},
        accepted: 303,
        noEffect: async () => assert.equal(await stageOf(approveConsent!), 'waiting'),
      },
      'POST /my/shared/:consentId/:accountId/stop': {
        send: viaAgent(c.agent, `/my/shared/${stopConsent}/${household.joint}/stop`),
        token: c.csrf,
        form: {},
        accepted: 303,
        noEffect: async () => assert.equal(await stageOf(stopConsent!), 'waiting'),
      },
      'POST /signin': {
        send: viaAgent(signedOut.agent, '/signin'),
        token: signedOut.csrf,
        form: { email: newcomer.email, password: newcomer.password },
        accepted: 303,
        noEffect: async () => assert.equal((await signedOut.agent.get('/my/accounts')).status, 303),
      },
      'POST /signout': {
        send: viaAgent(c.agent, '/signout'),
        token: c.csrf,
        form: {},
        accepted: 303,
        noEffect: () => signedIn(c.agent, '/my/accounts'),
      },
      'POST /oauth/interaction/:uid': {
        send: viaBrowser(screen.browser, screen.url),
        token: csrfOf(screen.html),
        form: { decision: 'approve', accountIds: linked.accounts[0]!.accountId },
        accepted: 303,
        noEffect: async () => assert.equal((await readConsent(screen.consentId))?.status, 'AWAU'),
      },
      'POST /my/apps/:consentId/accounts/:accountId/remove': {
        send: viaAgent(c.agent, route('/my/apps/:consentId/accounts/:accountId/remove')),
        token: c.csrf,
        form: {},
        accepted: 303,
        noEffect: async () => assert.equal((await readConsent(p.consentId))?.accountIds?.length, 2),
      },
      'POST /my/apps/:consentId/cancel': {
        send: viaAgent(c.agent, `/my/apps/${pending._id}/cancel`),
        token: c.csrf,
        form: {},
        accepted: 303,
        noEffect: async () => assert.equal((await readConsent(pending._id))?.status, 'AWAU'),
      },
      'POST /my/settings': {
        send: viaAgent(c.agent, '/my/settings'),
        token: c.csrf,
        form: { timeZone: 'Asia/Tokyo' },
        accepted: 303,
        noEffect: async () => assert.equal((await findUser(linked.person.email))?.timeZone, undefined),
      },
      'POST /my/apps/:consentId/revoke': {
        send: viaAgent(c.agent, route('/my/apps/:consentId/revoke')),
        token: c.csrf,
        form: {},
        accepted: 303,
        noEffect: async () => assert.equal((await readConsent(p.consentId))?.status, 'AUTH'),
      },
      'POST /admin/apps': {
        send: viaAgent(admin.agent, '/admin/apps'),
        token: admin.csrf,
        form: {
          name: 'Forged App',
          purpose: 'Registered by a forged cross-site form.',
          redirectUris: 'https://forged.example/cb',
          jwks: '',
          webhookUrl: '',
          tokenEndpointAuthMethod: 'private_key_jwt',
        },
        // No JWKS: the form answers 422, past the CSRF check.
        accepted: 422,
      },
      'POST /admin/apps/:clientId/status': {
        send: viaAgent(admin.agent, route('/admin/apps/:clientId/status')),
        token: admin.csrf,
        form: { status: 'suspended', reason: 'Reported for reading data it was not given.' },
        accepted: 303,
      },
      'POST /admin/apps/:clientId/revoke-consents': {
        send: viaAgent(admin.agent, route('/admin/apps/:clientId/revoke-consents')),
        token: admin.csrf,
        form: { confirm: 'yes' },
        accepted: 303,
      },
      'POST /compliance/integrity/verify': {
        send: viaAgent(officer.agent, '/compliance/integrity/verify'),
        token: officer.csrf,
        form: {},
        accepted: 303,
      },
      'POST /compliance/exports': {
        send: viaAgent(officer.agent, '/compliance/exports'),
        token: officer.csrf,
        form: { format: 'csv', consentId: linked.consentId },
        accepted: 303,
      },
      'POST /compliance/integrity/checkpoints': {
        send: viaAgent(officer.agent, '/compliance/integrity/checkpoints'),
        token: officer.csrf,
        form: {},
        accepted: 303,
      },
      'POST /api/compliance/checkpoints': {
        send: viaAgent(officer.agent, '/api/compliance/checkpoints'),
        token: officer.csrf,
        form: {},
        header: true,
        accepted: 201,
      },
      'POST /api/compliance/verifications': {
        send: viaAgent(officer.agent, '/api/compliance/verifications'),
        token: officer.csrf,
        form: {},
        header: true,
        accepted: 200,
      },
    };
  });
  after(async () => {
    await verificationRunsSettled();
    await w?.close();
  });

  it('has a fixture for every state-changing route behind the CSRF check, and no such route outside it but the APIs with their own authentication', () => {
    const routes = walkRoutes(w.server.app).filter((r) => stateChanging.has(r.method));
    const pages = routes.filter((r) => r.csrfProtected).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(pages.sort(), Object.keys(fixtures).sort());
    // Outside the pages router, state changes need a DPoP-bound token (OB API) or are the
    // authorisation server's (client authentication at /oauth/token): no cookie authenticates them.
    const others = routes.filter((r) => !r.csrfProtected).map((r) => `${r.method} ${r.path}`);
    assert.ok(
      others.every((key) => key.includes('/open-banking/') || key === 'POST /oauth/token'),
      others.join(', '),
    );
  });

  it('refuses each with 403 when the token is missing, from another session, random, empty, sent twice or only in the query string, and the database is unchanged', async () => {
    let refusals = 0;
    await verificationRunsSettled();
    const before = await snapshotDatabase();
    for (const [key, fixture] of Object.entries(fixtures)) {
      const random = randomBytes(32).toString('base64url');
      const attempts: { label: string; form: Form; headers?: Record<string, string>; query?: string }[] =
        fixture.header
          ? [
              { label: 'no token', form: fixture.form },
              {
                label: 'another session’s token',
                form: fixture.form,
                headers: { 'x-csrf-token': otherSessionToken },
              },
              { label: 'a random token', form: fixture.form, headers: { 'x-csrf-token': random } },
              { label: 'an empty token', form: fixture.form, headers: { 'x-csrf-token': '' } },
              {
                label: 'the token in the query string',
                form: fixture.form,
                query: `?_csrf=${fixture.token}`,
              },
            ]
          : [
              { label: 'no token', form: fixture.form },
              { label: 'another session’s token', form: { ...fixture.form, _csrf: otherSessionToken } },
              { label: 'a random token', form: { ...fixture.form, _csrf: random } },
              { label: 'an empty token', form: { ...fixture.form, _csrf: '' } },
              { label: 'the token twice', form: { ...fixture.form, _csrf: [fixture.token, fixture.token] } },
              {
                label: 'a token one character short',
                form: { ...fixture.form, _csrf: fixture.token.slice(1) },
              },
              {
                label: 'the token in the query string',
                form: fixture.form,
                query: `?_csrf=${encodeURIComponent(fixture.token)}`,
              },
            ];
      for (const attempt of attempts) {
        const res = await fixture.send(attempt.form, attempt.headers, attempt.query);
        assert.equal(res.status, 403, `${key} with ${attempt.label}: ${res.status}`);
        assert.match(res.text, /csrf_invalid|This form has expired or was not sent from this site/, key);
        refusals += 1;
      }
      await fixture.noEffect?.();
    }
    afterRefusals = await snapshotDatabase();
    assertUnchanged(before, afterRefusals, 'requests refused for their CSRF token');
    assert.ok(refusals >= 12 * 5);
  });

  it('accepts each with the session’s own token (so the refusals above were the token’s doing)', async () => {
    // Sign-out last: it ends the customer's session that the dashboard routes use.
    const order = Object.keys(fixtures).sort(
      (a, b) => Number(a === 'POST /signout') - Number(b === 'POST /signout'),
    );
    const before = afterRefusals ?? (await snapshotDatabase());
    for (const key of order) {
      const fixture = fixtures[key]!;
      const res = fixture.header
        ? await fixture.send(fixture.form, { 'x-csrf-token': fixture.token })
        : await fixture.send({ ...fixture.form, _csrf: fixture.token });
      assert.equal(res.status, fixture.accepted, `${key}: ${res.text.slice(0, 300)}`);
    }
    // And the snapshot sees what accepted requests change.
    await verificationRunsSettled();
    const changed = changedCollections(before, await snapshotDatabase());
    for (const name of ['apps', 'consents', 'audit_events', 'audit_checkpoints'])
      assert.ok(changed.includes(name), `${name} in ${changed.join(', ')}`);
  });
});
