/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are read loosely in assertions */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { exportJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as client from 'openid-client';
import request from 'supertest';
import { AppModel } from '../../src/apps/app.model.js';
import { registerApp } from '../../src/apps/app.service.js';
import { VerificationRunModel } from '../../src/compliance/verification-run.model.js';
import { obBasePath } from '../../src/open-banking/ob-api.js';
import { readConsent } from '../../src/consents/consent.repository.js';
import { createConsent } from '../../src/consents/consent.service.js';
import {
  authoriseConsent,
  openConsentForCustomer,
  revokeConsentByCustomer,
} from '../../src/consents/consent-customer.service.js';
import type { Permission } from '../../src/consents/consent.js';
import { linkGrantToConsent } from '../../src/oauth/grant-consent.repository.js';
import { csrfFrom, type Agent } from '../helpers/agent.js';
import { lastAuditEventWhere } from '../helpers/audit.js';
import { finishedEvidencePack } from '../helpers/exports.js';
import { createCustomerWithAccounts, createPerson, shareAccounts } from '../helpers/factories.js';
import { connectionsAwaitingApproval } from '../helpers/sharing.js';
import {
  appClient,
  registerTestApp,
  startOAuthServer,
  type AppClient,
  type TestApp,
} from '../helpers/oauth-client.js';
import { routeInventory, routeKey, type InventoryRoute } from '../helpers/route-inventory.js';

/*
 * The role x route matrix. Every route of the app, read from its router and from the
 * authorisation server's route table (test/helpers/route-inventory.ts), has a row below
 * saying what each kind of caller gets; every cell is exercised against the running app.
 * A route without a row, or a row without a route, fails the suite.
 *
 * The callers:
 * - anonymous: a browser with a session (and a valid CSRF token) but nobody signed in;
 * - customer: the customer who owns the resources the row names (consents, accounts);
 * - otherCustomer: a different customer, with accounts and consents of their own;
 * - compliance, admin: staff, signed in;
 * - app: app X holding the customer's authorised consent, with the token the route takes
 *   (its client-credentials token on the consent API, the consent's DPoP-bound access
 *   token on the data API and on pages);
 * - appNoConsent: app Y, registered and active, holding no consent of the customer (its
 *   client-credentials token);
 * - appRevokedConsent: app X with the access token of a consent the customer revoked;
 * - appOtherCustomer: app X with the access token of another customer's consent.
 * Apps have no sign-in: on pages they are a browser with an anonymous session that also
 * sends its DPoP-bound token, which pages must ignore.
 */

/** A DPoP key pair, as openid-client makes them. */
type DPoPKeys = AppClient['dpopKeys'];

const roles = [
  'anonymous',
  'customer',
  'otherCustomer',
  'compliance',
  'admin',
  'app',
  'appNoConsent',
  'appRevokedConsent',
  'appOtherCustomer',
] as const;
type Role = (typeof roles)[number];
const people: Role[] = ['anonymous', 'customer', 'otherCustomer', 'compliance', 'admin'];
const apps: Role[] = ['app', 'appNoConsent', 'appRevokedConsent', 'appOtherCustomer'];
/** Callers that must never see the customer's data. */
const outsiders: Role[] = [
  'anonymous',
  'otherCustomer',
  'appNoConsent',
  'appRevokedConsent',
  'appOtherCustomer',
];

const permissions: Permission[] = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

// ---------------------------------------------------------------------------------------
// Expected outcomes

/** Not signed in: a page GET redirects to sign-in with the way back, a form POST is 401, the JSON API is 401. */
const S = 'sign-in' as const;
interface Expect {
  status: number;
  /** The Location header, for redirects. */
  location?: string | RegExp;
  /** Anything else the answer must show. */
  check?: (reply: Reply) => void;
  /** Answered with success, but must have changed nothing (checked as after a refusal). */
  noEffect?: boolean;
}
type Cell = number | typeof S | Expect;
const to = (location: string | RegExp, status = 303): Expect => ({ status, location });

/** Cells by role, with shorthands: `all`, `people` (the five browser callers), `signedIn`, `apps`. */
type Spec = Partial<Record<Role | 'all' | 'people' | 'signedIn' | 'apps', Cell>>;

function cellFor(spec: Spec, role: Role): Cell | undefined {
  if (spec[role] !== undefined) return spec[role];
  if (apps.includes(role) && spec.apps !== undefined) return spec.apps;
  if (role !== 'anonymous' && people.includes(role) && spec.signedIn !== undefined) return spec.signedIn;
  if (people.includes(role) && spec.people !== undefined) return spec.people;
  return spec.all;
}

/** Who a route speaks to, which decides what a refusal looks like. */
type Kind = 'public' | 'page' | 'api' | 'ob' | 'oauth';

interface Row {
  kind: Kind;
  call: (w: World, as: Caller) => Promise<Reply>;
  expect: Spec;
  /** Calls that change the caller's own session (sign-in, sign-out) get a caller of their own. */
  ownSession?: boolean;
  /** Cells that share one browser run one after another. */
  sequential?: boolean;
}

// ---------------------------------------------------------------------------------------
// Talking to the app

interface Reply {
  path: string;
  method: string;
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
  /** After a refusal: checks that nothing changed. */
  untouched?: () => Promise<void>;
}

interface Bearer {
  token: string;
  keys: DPoPKeys;
}

/** A Location on this server as a path (the authorisation server answers with absolute URLs). */
const pathOf = (location: string) =>
  /^https?:/.test(location) ? new URL(location).pathname + new URL(location).search : location;

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const publicJwks = new WeakMap<CryptoKey, JWK>();

async function dpopProof(keys: DPoPKeys, method: string, url: string, token?: string, nonce?: string) {
  let jwk = publicJwks.get(keys.publicKey);
  if (!jwk) {
    const { kty, crv, x, y } = await exportJWK(keys.publicKey);
    jwk = { kty, crv, x, y } as JWK;
    publicJwks.set(keys.publicKey, jwk);
  }
  return new SignJWT({
    htm: method,
    htu: url,
    ...(token ? { ath: sha256(token) } : {}),
    ...(nonce ? { nonce } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt()
    .setJti(randomUUID())
    .sign(keys.privateKey);
}

function fromSupertest(method: string, path: string, res: request.Response): Reply {
  const text = typeof res.text === 'string' ? res.text : String(res.body ?? '');
  return {
    method,
    path,
    status: res.status,
    headers: res.headers as Record<string, string>,
    text,
    json: parseJson(res.headers['content-type'], text),
  };
}

async function fromFetch(method: string, path: string, res: Response): Promise<Reply> {
  const text = await res.text();
  return {
    method,
    path,
    status: res.status,
    headers: Object.fromEntries(res.headers),
    text,
    json: parseJson(res.headers.get('content-type') ?? undefined, text),
  };
}

function parseJson(contentType: string | undefined, text: string) {
  if (!/json/.test(contentType ?? '') || /ndjson/.test(contentType ?? '')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * One caller: a cookie jar (signed in or anonymous) with its CSRF token, and for apps the
 * DPoP-bound tokens they hold. `bearer('client')` is the token the consent API takes,
 * `bearer('customer')` the one the data API takes.
 */
class Caller {
  constructor(
    readonly role: Role,
    readonly agent: Agent,
    readonly csrf: string,
    private readonly issuer: string,
    private readonly tokens?: { client: Bearer; customer: Bearer },
  ) {}

  bearer(kind: 'client' | 'customer' = 'customer'): Bearer | undefined {
    return this.tokens?.[kind];
  }

  /** A page or form: cookies, the CSRF token on unsafe methods, and an app's token when it has one. */
  async page(method: string, path: string, form: Record<string, string | string[]> = {}) {
    let test = this.agent[method.toLowerCase() as 'get'](path);
    const bearer = this.bearer();
    if (bearer) {
      test = test
        .set('Authorization', `DPoP ${bearer.token}`)
        .set(
          'DPoP',
          await dpopProof(bearer.keys, method, `${this.issuer}${path.split('?')[0]}`, bearer.token),
        );
    }
    if (unsafe.has(method)) test = test.type('form').send({ _csrf: this.csrf, ...form });
    return fromSupertest(method, path, await textOf(test));
  }

  /** The compliance JSON API: as a page, but asking for JSON and sending the CSRF token as a header. */
  async api(method: string, path: string) {
    let test = this.agent[method.toLowerCase() as 'get'](path).set('Accept', 'application/json');
    if (unsafe.has(method)) test = test.set('X-CSRF-Token', this.csrf);
    const bearer = this.bearer();
    if (bearer) test = test.set('Authorization', `DPoP ${bearer.token}`);
    return fromSupertest(method, path, await textOf(test));
  }

  /** The Open Banking API: people send their cookies and no token; apps their DPoP-bound token. */
  async ob(method: string, path: string, kind: 'client' | 'customer', body?: unknown) {
    const url = `${obBasePath}${path}`;
    let test = this.agent[method.toLowerCase() as 'get'](url).set(
      'x-fapi-customer-ip-address',
      '198.51.100.7',
    );
    const bearer = this.bearer(kind);
    if (bearer) {
      test = test
        .set('Authorization', `DPoP ${bearer.token}`)
        .set('DPoP', await dpopProof(bearer.keys, method, `${this.issuer}${url}`, bearer.token));
    }
    if (body !== undefined) test = test.type('json').send(JSON.stringify(body));
    return fromSupertest(method, url, await textOf(test));
  }
}

/** Every body as text (exports stream CSV and JSON Lines). */
function textOf(test: request.Test) {
  return test.buffer(true).parse((res, callback) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => callback(null, text));
  });
}

/** An app talking to the authorisation server: private_key_jwt, and a DPoP proof (with the server's nonce) when asked. */
async function asApp(
  w: World,
  app: TestApp,
  path: string,
  params: Record<string, string>,
  dpop?: DPoPKeys,
): Promise<Reply> {
  let nonce: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: app.kid })
      .setIssuer(app.clientId)
      .setSubject(app.clientId)
      .setAudience(w.issuer)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(app.privateKey);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (dpop) headers.dpop = await dpopProof(dpop, 'POST', `${w.issuer}${path}`, undefined, nonce);
    const res = await fetch(`${w.issuer}${path}`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({
        ...params,
        client_id: app.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    const fresh = res.headers.get('dpop-nonce');
    if (dpop && fresh && attempt === 0 && res.status >= 400) {
      nonce = fresh;
      await res.body?.cancel();
      continue;
    }
    return fromFetch('POST', path, res);
  }
}

/** A DPoP-bound token presented to the authorisation server (userinfo), with the server's nonce. */
async function withToken(w: World, method: string, path: string, bearer: Bearer): Promise<Reply> {
  let nonce: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${w.issuer}${path}`, {
      method,
      headers: {
        authorization: `DPoP ${bearer.token}`,
        dpop: await dpopProof(bearer.keys, method, `${w.issuer}${path}`, bearer.token, nonce),
      },
    });
    const fresh = res.headers.get('dpop-nonce');
    if (
      fresh &&
      attempt === 0 &&
      res.status === 401 &&
      /use_dpop_nonce/.test(res.headers.get('www-authenticate') ?? '')
    ) {
      nonce = fresh;
      await res.body?.cancel();
      continue;
    }
    return fromFetch(method, path, res);
  }
}

// ---------------------------------------------------------------------------------------
// The world every cell runs in: one server, two customers, two apps, staff.

interface Grant {
  consentId: string;
  access: string;
  refresh: string;
}

async function buildWorld() {
  const server = await startOAuthServer();
  const { issuer } = server;
  const [owner, other, compliance, admin, signinPerson, x, y] = await Promise.all([
    createCustomerWithAccounts(5, 'owner'),
    createCustomerWithAccounts(5, 'other'),
    createPerson('compliance'),
    createPerson('admin'),
    createPerson('customer', 'signin'),
    registerTestApp(issuer),
    registerTestApp(issuer),
  ]);
  const [cx, cy] = await Promise.all([appClient(issuer, x), appClient(issuer, y)]);
  // The owner holds a joint account with a partner, who is also a cardholder on the owner's card.
  const partner = await createCustomerWithAccounts(5, 'partner');
  const household = await shareAccounts(owner, partner);
  const [approveConsent, stopConsent] = await connectionsAwaitingApproval(
    server.consentDeps,
    household,
    { sharer: partner.person.customerId!, other: owner.person.customerId! },
    x.clientId,
  );
  const sharing = { ...household, partnerId: partner.person.customerId!, approveConsent, stopConsent };

  const ownerAccounts = owner.accounts.map((a) => a.accountId);
  const otherAccounts = other.accounts.map((a) => a.accountId);
  const deps = server.consentDeps;
  const world = {
    server,
    sharing,
    issuer,
    owner,
    other,
    ownerAccounts,
    x,
    y,
    cx,
    cy,
    otherAccounts,
    /** Tokens, filled in below once the people are signed in. */
    live: undefined as unknown as Grant,
    revoked: undefined as unknown as Grant,
    otherConsent: undefined as unknown as Grant,
    ccX: '',
    ccY: '',
    runId: randomUUID(),
    exportId: randomUUID(),
    seq: 0,
    signinPerson,
    jwks: JSON.stringify({
      keys: [{ ...(await exportJWK(x.privateKey)), d: undefined, kid: 'matrix', use: 'sig', alg: 'ES256' }],
    }),
    /** A new pending consent of app X (or another app). */
    async pendingConsent(clientId = x.clientId) {
      return (await createConsent(deps, clientId, { Permissions: permissions }, {}))._id;
    },
    /** A new pending consent already opened (so owned) by the customer. */
    async claimedConsent() {
      const id = await world.pendingConsent();
      await openConsentForCustomer(deps, owner.person.customerId!, id);
      return id;
    },
    /** A new consent the customer authorised, with a live grant, as the consent screen makes one. */
    async authorisedConsent(clientId = x.clientId) {
      const id = await world.pendingConsent(clientId);
      const customerId = owner.person.customerId!;
      await openConsentForCustomer(deps, customerId, id);
      const grant = new server.provider.Grant({ accountId: customerId, clientId });
      grant.addOIDCScope('openid accounts');
      const grantId = await grant.save();
      await linkGrantToConsent(grantId, id);
      await authoriseConsent(deps, customerId, id, { accountIds: ownerAccounts, grantId }, {});
      return id;
    },
    /** A new app registered by an operator. */
    async freshApp() {
      const { app } = await registerApp(
        server.consentDeps.audit,
        { id: 'role-matrix' },
        {
          name: `Matrix ${randomUUID().slice(0, 8)}`,
          purpose: 'Shows your spending by category across your banks.',
          redirectUris: [`${issuer}/cb`],
          jwks: JSON.parse(world.jwks),
          tokenEndpointAuthMethod: 'private_key_jwt',
        },
      );
      return app._id;
    },
    /** Pushes an authorisation request of app X (PAR, PKCE, the consent as the essential intent claim). */
    async push(consentId: string, app: TestApp = x) {
      const intent = { openbanking_intent_id: { value: consentId, essential: true } };
      const verifier = client.randomPKCECodeVerifier();
      const pushed = await asApp(world, app, '/oauth/par', {
        response_type: 'code',
        redirect_uri: app.redirectUri,
        scope: 'openid accounts',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: client.randomState(),
        nonce: client.randomNonce(),
        claims: JSON.stringify({ id_token: intent, userinfo: intent }),
      });
      assert.equal(pushed.status, 201, pushed.text);
      const path = `/oauth/authorize?client_id=${app.clientId}&request_uri=${encodeURIComponent(pushed.json.request_uri)}`;
      return { path, verifier };
    },
    /** A fresh pushed request opened in `agent`: the consent screen's path. */
    async interactionIn(agent: Agent, consentId: string) {
      const res = await agent.get((await world.push(consentId)).path);
      assert.equal(res.status, 303, res.text);
      assert.match(res.headers.location!, /^\/oauth\/interaction\/[\w-]+$/);
      return res.headers.location!;
    },
    /**
     * A consent of app X authorised by `who` in their signed-in browser, all the way to the
     * code exchange: tokens of their own to spend (revoking one ends its whole grant).
     */
    async tokensThrough(who: Caller, accountIds: string[]): Promise<Grant> {
      const consentId = await world.pendingConsent();
      const { path, verifier } = await world.push(consentId);
      const screen = await who.agent.get(path);
      const decided = await who.page('POST', screen.headers.location!, { decision: 'approve', accountIds });
      assert.equal(decided.status, 303, decided.text);
      const back = await who.agent.get(pathOf(decided.headers.location!));
      const code = new URL(back.headers.location!).searchParams.get('code');
      assert.ok(code, `a code: ${back.headers.location}`);
      const tokens = await asApp(
        world,
        x,
        '/oauth/token',
        { grant_type: 'authorization_code', code, redirect_uri: x.redirectUri, code_verifier: verifier },
        cx.dpopKeys,
      );
      assert.equal(tokens.status, 200, tokens.text);
      return { consentId, access: tokens.json.access_token, refresh: tokens.json.refresh_token };
    },
    callers: {} as Record<Role, Caller>,
    /** A caller of its own for `role`: a new session for the same person, or a new browser for an app. */
    async newCaller(role: Role): Promise<Caller> {
      const person = {
        customer: owner.person,
        otherCustomer: other.person,
        compliance,
        admin,
      }[role as 'customer'];
      const agent = request.agent(issuer);
      const signinPage = await agent.get('/signin').expect(200);
      let csrf = csrfFrom(signinPage.text);
      if (person) {
        await agent
          .post('/signin')
          .type('form')
          .send({ _csrf: csrf, email: person.email, password: person.password })
          .expect(303);
        csrf = csrfFrom((await agent.get('/').redirects(1).expect(200)).text);
      }
      const ofX = (token: string) => ({ token, keys: cx.dpopKeys });
      const ofY = (token: string) => ({ token, keys: cy.dpopKeys });
      const tokens: Record<string, () => { client: Bearer; customer: Bearer }> = {
        app: () => ({ client: ofX(world.ccX), customer: ofX(world.live.access) }),
        appNoConsent: () => ({ client: ofY(world.ccY), customer: ofY(world.ccY) }),
        appRevokedConsent: () => ({ client: ofX(world.revoked.access), customer: ofX(world.revoked.access) }),
        appOtherCustomer: () => ({
          client: ofX(world.otherConsent.access),
          customer: ofX(world.otherConsent.access),
        }),
      };
      return new Caller(role, agent, csrf, issuer, tokens[role]?.());
    },
  };
  await Promise.all(people.map(async (role) => (world.callers[role] = await world.newCaller(role))));

  // App X's consents: one live, one the customer revoked, one of the other customer; then both apps' client credentials.
  const { customer: ownerBrowser, otherCustomer: otherBrowser } = world.callers;
  [world.live, world.otherConsent] = await Promise.all([
    world.tokensThrough(ownerBrowser, ownerAccounts),
    world.tokensThrough(otherBrowser, otherAccounts),
  ]);
  world.revoked = await world.tokensThrough(ownerBrowser, ownerAccounts);
  await revokeConsentByCustomer(deps, owner.person.customerId!, world.revoked.consentId, {});
  const [ccX, ccY] = await Promise.all([
    client.clientCredentialsGrant(cx.config, { scope: 'accounts' }, { DPoP: cx.DPoP }),
    client.clientCredentialsGrant(cy.config, { scope: 'accounts' }, { DPoP: cy.DPoP }),
  ]);
  world.ccX = ccX.access_token;
  world.ccY = ccY.access_token;
  await Promise.all(apps.map(async (role) => (world.callers[role] = await world.newCaller(role))));

  await VerificationRunModel.create({
    _id: world.runId,
    status: 'running',
    startedBy: 'role-matrix',
    startedAt: new Date(),
  });
  await finishedEvidencePack(world.exportId, compliance);
  world.seq = (await lastAuditEventWhere({ consentId: world.live.consentId }))!.seq;
  return world;
}

type World = Awaited<ReturnType<typeof buildWorld>>;

// ---------------------------------------------------------------------------------------
// Row helpers

const customerPage = {
  anonymous: S,
  customer: 200,
  otherCustomer: 404,
  compliance: 403,
  admin: 403,
  apps: S,
} as const;
const customerHome = {
  anonymous: S,
  customer: 200,
  otherCustomer: 200,
  compliance: 403,
  admin: 403,
  apps: S,
} as const;
const adminPage = {
  anonymous: S,
  customer: 403,
  otherCustomer: 403,
  compliance: 403,
  admin: 200,
  apps: S,
} as const;
const compliancePage = {
  anonymous: S,
  customer: 403,
  otherCustomer: 403,
  compliance: 200,
  admin: 403,
  apps: S,
} as const;
const allowed = (spec: Spec, status: number): Spec => {
  const out: Spec = { ...spec };
  for (const key of Object.keys(out) as (keyof Spec)[]) if (out[key] === 200) out[key] = status;
  return out;
};

/** The consent API with client-credentials tokens: only app X's own token, and app Y is told the consent does not exist. */
const consentApi = {
  people: 401,
  app: 200,
  appNoConsent: 404,
  appRevokedConsent: 401,
  appOtherCustomer: 401,
} as const;
/** The data API on one of the customer's accounts. */
const accountData = {
  people: 401,
  app: 200,
  appNoConsent: 401,
  appRevokedConsent: 401,
  appOtherCustomer: 403,
} as const;
/** The data API over every account in the token's consent (another customer's consent sees only theirs). */
const consentData = {
  people: 401,
  app: 200,
  appNoConsent: 401,
  appRevokedConsent: 401,
  appOtherCustomer: 200,
} as const;

const consentStatusIs = (id: string, status: string) => async () =>
  assert.equal((await readConsent(id))?.status, status, `consent ${id} is still ${status}`);

const compliancePages: Record<string, (w: World) => string> = {
  'GET /compliance': (w) => `/compliance?consentId=${w.live.consentId}`,
  'GET /compliance/events/:seq': (w) => `/compliance/events/${w.seq}`,
  'GET /compliance/consents/:consentId': (w) => `/compliance/consents/${w.live.consentId}`,
  'GET /compliance/activity': () => '/compliance/activity?days=7',
  'GET /compliance/funnel': () => '/compliance/funnel?days=7',
  'GET /compliance/performance': () => '/compliance/performance',
  'GET /compliance/integrity': () => '/compliance/integrity',
  'GET /compliance/integrity/runs/:id': (w) => `/compliance/integrity/runs/${w.runId}`,
  'GET /compliance/export/review': (w) => `/compliance/export/review?consentId=${w.live.consentId}`,
  'GET /compliance/exports/:id': (w) => `/compliance/exports/${w.exportId}`,
  'GET /compliance/exports/:id/download': (w) => `/compliance/exports/${w.exportId}/download`,
  'GET /compliance/exports/:id/cover': (w) => `/compliance/exports/${w.exportId}/cover`,
};
const complianceApi: Record<string, (w: World) => string> = {
  'GET /api/compliance/events': (w) => `/api/compliance/events?consentId=${w.live.consentId}`,
  'GET /api/compliance/events/:seq': (w) => `/api/compliance/events/${w.seq}`,
  'GET /api/compliance/consents/:consentId/events': (w) =>
    `/api/compliance/consents/${w.live.consentId}/events`,
  'GET /api/compliance/activity': () => '/api/compliance/activity?days=7',
  'GET /api/compliance/checkpoints': () => '/api/compliance/checkpoints',
  'GET /api/compliance/export': (w) => `/api/compliance/export?consentId=${w.live.consentId}&format=jsonl`,
  'GET /api/compliance/evidence-pack': (w) => `/api/compliance/evidence-pack?consentId=${w.live.consentId}`,
};

const home = {
  customer: '/my/accounts',
  otherCustomer: '/my/accounts',
  compliance: '/compliance',
  admin: '/admin',
};
const interactionPath = /^\/oauth\/interaction\/[\w-]+$/;
const signInFirst = to(/^\/signin\?next=%2Foauth%2Finteraction%2F/);

// ---------------------------------------------------------------------------------------
// The matrix

const matrix: Record<string, Row> = {
  // Public files and documents.
  'GET /public/vendor/chart.umd.min.js': {
    kind: 'public',
    call: (_w, as) => as.page('GET', '/public/vendor/chart.umd.min.js'),
    expect: { all: 200 },
  },
  'GET /public/*file': {
    kind: 'public',
    call: (_w, as) => as.page('GET', '/public/css/app.css'),
    expect: { all: 200 },
  },
  'GET /performance.json': {
    kind: 'public',
    call: (_w, as) => as.page('GET', '/performance.json'),
    expect: { all: 200 },
  },
  'GET /openapi.json': {
    kind: 'public',
    call: (_w, as) => as.page('GET', '/openapi.json'),
    expect: { all: 200 },
  },
  'GET /.well-known/audit-keys.json': {
    kind: 'public',
    call: (_w, as) => as.page('GET', '/.well-known/audit-keys.json'),
    expect: { all: 200 },
  },
  'GET /.well-known/receipt-keys.json': {
    kind: 'public',
    call: (_w, as) => as.page('GET', '/.well-known/receipt-keys.json'),
    expect: { all: 200 },
  },
  'GET /.well-known/webhook-keys.json': {
    kind: 'public',
    call: (_w, as) => as.page('GET', '/.well-known/webhook-keys.json'),
    expect: { all: 200 },
  },
  'GET /.well-known/openid-configuration': {
    kind: 'public',
    call: (_w, as) => as.page('GET', '/.well-known/openid-configuration'),
    expect: { all: 200 },
  },
  'GET /oauth/jwks': {
    kind: 'public',
    call: (_w, as) => as.page('GET', '/oauth/jwks'),
    expect: { all: 200 },
  },

  // Home and sign-in.
  'GET /': {
    kind: 'page',
    call: (_w, as) => as.page('GET', '/'),
    expect: {
      anonymous: to('/signin'),
      customer: to(home.customer),
      otherCustomer: to(home.otherCustomer),
      compliance: to(home.compliance),
      admin: to(home.admin),
      apps: to('/signin'),
    },
  },
  'GET /signin': {
    kind: 'page',
    call: (_w, as) => as.page('GET', '/signin'),
    expect: {
      anonymous: 200,
      customer: to(home.customer),
      otherCustomer: to(home.otherCustomer),
      compliance: to(home.compliance),
      admin: to(home.admin),
      apps: 200,
    },
  },
  'POST /signin': {
    kind: 'page',
    ownSession: true,
    call: (w, as) =>
      as.page('POST', '/signin', { email: w.signinPerson.email, password: w.signinPerson.password }),
    expect: { all: to('/my/accounts') },
  },
  'POST /signout': {
    kind: 'page',
    ownSession: true,
    call: (_w, as) => as.page('POST', '/signout'),
    expect: { anonymous: S, signedIn: to('/signin'), apps: S },
  },

  // The customer's pages.
  'GET /my/accounts': {
    kind: 'page',
    call: (_w, as) => as.page('GET', '/my/accounts'),
    expect: customerHome,
  },
  'GET /my/apps': { kind: 'page', call: (_w, as) => as.page('GET', '/my/apps'), expect: customerHome },
  'GET /my/notices': { kind: 'page', call: (_w, as) => as.page('GET', '/my/notices'), expect: customerHome },
  'GET /my/apps/:consentId': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/my/apps/${w.live.consentId}`),
    expect: customerPage,
  },
  'GET /my/apps/:consentId/receipt': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/my/apps/${w.live.consentId}/receipt`),
    expect: customerPage,
  },
  'GET /my/apps/:consentId/receipt.json': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/my/apps/${w.live.consentId}/receipt.json`),
    expect: customerPage,
  },
  'GET /my/apps/:consentId/revoke': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/my/apps/${w.live.consentId}/revoke`),
    expect: customerPage,
  },
  'POST /my/apps/:consentId/revoke': {
    kind: 'page',
    call: async (w, as) => {
      const id = await w.authorisedConsent();
      return { ...(await as.page('POST', `/my/apps/${id}/revoke`)), untouched: consentStatusIs(id, 'AUTH') };
    },
    expect: allowed(customerPage, 303),
  },
  'GET /my/apps/:consentId/accounts/:accountId/remove': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/my/apps/${w.live.consentId}/accounts/${w.ownerAccounts[0]}/remove`),
    expect: customerPage,
  },
  'GET /my/apps/:consentId/cancel': {
    kind: 'page',
    call: async (w, as) => as.page('GET', `/my/apps/${await w.claimedConsent()}/cancel`),
    expect: customerPage,
  },
  'POST /my/apps/:consentId/cancel': {
    kind: 'page',
    call: async (w, as) => {
      const id = await w.claimedConsent();
      return { ...(await as.page('POST', `/my/apps/${id}/cancel`)), untouched: consentStatusIs(id, 'AWAU') };
    },
    expect: allowed(customerPage, 303),
  },
  // Accounts held with others: the owner's joint account and card, connections the partner made.
  'GET /my/sharing': {
    kind: 'page',
    call: (_w, as) => as.page('GET', '/my/sharing'),
    expect: customerHome,
  },
  'GET /my/sharing/:accountId': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/my/sharing/${w.sharing.joint}`),
    expect: customerPage,
  },
  // Without `confirmed`, the answer is the confirmation page: nothing changes for anyone.
  'POST /my/sharing/:accountId/option': {
    kind: 'page',
    call: (w, as) => as.page('POST', `/my/sharing/${w.sharing.joint}/option`, { option: 'none' }),
    expect: customerPage,
  },
  'POST /my/sharing/:accountId/cardholders/:cardholderId': {
    kind: 'page',
    call: (w, as) =>
      as.page('POST', `/my/sharing/${w.sharing.card}/cardholders/${w.sharing.partnerId}`, { allowed: 'yes' }),
    expect: customerPage,
  },
  'POST /my/sharing/:accountId/proposal/decline': {
    kind: 'page',
    call: (w, as) => as.page('POST', `/my/sharing/${w.sharing.joint}/proposal/decline`),
    expect: allowed(customerPage, 303),
  },
  'GET /my/shared/:consentId/:accountId/approve': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/my/shared/${w.sharing.approveConsent}/${w.sharing.joint}/approve`),
    expect: customerPage,
  },
  'POST /my/shared/:consentId/:accountId/approve': {
    kind: 'page',
    call: (w, as) => as.page('POST', `/my/shared/${w.sharing.approveConsent}/${w.sharing.joint}/approve`),
    expect: allowed(customerPage, 303),
  },
  'GET /my/shared/:consentId/:accountId/stop': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/my/shared/${w.sharing.stopConsent}/${w.sharing.joint}/stop`),
    expect: customerPage,
  },
  'POST /my/shared/:consentId/:accountId/stop': {
    kind: 'page',
    call: (w, as) => as.page('POST', `/my/shared/${w.sharing.stopConsent}/${w.sharing.joint}/stop`),
    expect: allowed(customerPage, 303),
  },
  'GET /my/settings': {
    kind: 'page',
    call: (_w, as) => as.page('GET', '/my/settings'),
    expect: customerHome,
  },
  'POST /my/settings': {
    kind: 'page',
    call: (_w, as) => as.page('POST', '/my/settings', { timeZone: 'Europe/London' }),
    expect: allowed(customerHome, 303),
  },
  'POST /my/apps/:consentId/accounts/:accountId/remove': {
    kind: 'page',
    call: async (w, as) => {
      const id = await w.authorisedConsent();
      const reply = await as.page('POST', `/my/apps/${id}/accounts/${w.ownerAccounts[0]}/remove`);
      return {
        ...reply,
        untouched: async () => assert.deepEqual((await readConsent(id))?.accountIds, w.ownerAccounts),
      };
    },
    expect: allowed(customerPage, 303),
  },

  // The consent screen (our pages under /oauth/interaction, reached from the authorisation server).
  'GET /oauth/interaction/:uid': {
    kind: 'page',
    call: async (w, as) => {
      // The other customer opens a request the customer opened first.
      const id = as.role === 'otherCustomer' ? await w.claimedConsent() : await w.pendingConsent();
      return as.page('GET', await w.interactionIn(as.agent, id));
    },
    expect: { anonymous: S, customer: 200, otherCustomer: 403, compliance: 403, admin: 403, apps: S },
  },
  'GET /oauth/interaction/:uid/preview': {
    kind: 'page',
    call: async (w, as) => {
      const id = as.role === 'otherCustomer' ? await w.claimedConsent() : await w.pendingConsent();
      return as.page('GET', `${await w.interactionIn(as.agent, id)}/preview`);
    },
    expect: { anonymous: S, customer: 200, otherCustomer: 403, compliance: 403, admin: 403, apps: S },
  },
  'POST /oauth/interaction/:uid': {
    kind: 'page',
    call: async (w, as) => {
      const id = as.role === 'otherCustomer' ? await w.claimedConsent() : await w.pendingConsent();
      const screen = await w.interactionIn(as.agent, id);
      const reply = await as.page('POST', screen, { decision: 'approve', accountIds: w.ownerAccounts });
      return { ...reply, untouched: consentStatusIs(id, 'AWAU') };
    },
    expect: {
      anonymous: signInFirst,
      customer: to(/^(http:\/\/127\.0\.0\.1:\d+)?\/oauth\/authorize\/[\w-]+$/),
      otherCustomer: 403,
      compliance: 403,
      admin: 403,
      apps: signInFirst,
    },
  },

  // Administration.
  'GET /admin': { kind: 'page', call: (_w, as) => as.page('GET', '/admin'), expect: adminPage },
  'GET /admin/apps/new': {
    kind: 'page',
    call: (_w, as) => as.page('GET', '/admin/apps/new'),
    expect: adminPage,
  },
  'POST /admin/apps': {
    kind: 'page',
    call: async (w, as) => {
      const name = `Matrix ${randomUUID().slice(0, 8)}`;
      const reply = await as.page('POST', '/admin/apps', {
        name,
        purpose: 'Shows your spending by category across your banks.',
        redirectUris: `${w.issuer}/cb`,
        jwks: w.jwks,
        webhookUrl: '',
        tokenEndpointAuthMethod: 'private_key_jwt',
      });
      return {
        ...reply,
        untouched: async () => assert.equal(await AppModel.countDocuments({ name }), 0, 'no app registered'),
      };
    },
    expect: allowed(adminPage, 303),
  },
  'GET /admin/apps/:clientId': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/admin/apps/${w.x.clientId}`),
    expect: adminPage,
  },
  'GET /admin/apps/:clientId/suspend': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/admin/apps/${w.x.clientId}/suspend`),
    expect: adminPage,
  },
  'POST /admin/apps/:clientId/status': {
    kind: 'page',
    call: async (w, as) => {
      const clientId = await w.freshApp();
      const reply = await as.page('POST', `/admin/apps/${clientId}/status`, {
        status: 'suspended',
        reason: 'Reported for reading data it was not given.',
      });
      return {
        ...reply,
        untouched: async () => assert.equal((await AppModel.findById(clientId).lean())?.status, 'active'),
      };
    },
    expect: allowed(adminPage, 303),
  },
  'GET /admin/apps/:clientId/revoke-consents': {
    kind: 'page',
    call: (w, as) => as.page('GET', `/admin/apps/${w.x.clientId}/revoke-consents`),
    expect: adminPage,
  },
  'POST /admin/apps/:clientId/revoke-consents': {
    kind: 'page',
    call: async (w, as) => {
      const clientId = await w.freshApp();
      const id = await w.authorisedConsent(clientId);
      const reply = await as.page('POST', `/admin/apps/${clientId}/revoke-consents`, { confirm: 'yes' });
      return { ...reply, untouched: consentStatusIs(id, 'AUTH') };
    },
    expect: allowed(adminPage, 303),
  },

  // Compliance pages and their JSON API.
  ...Object.fromEntries(
    Object.entries(compliancePages).map(([key, path]) => [
      key,
      { kind: 'page', call: (w, as) => as.page('GET', path(w)), expect: compliancePage } satisfies Row,
    ]),
  ),
  'POST /compliance/integrity/verify': {
    kind: 'page',
    call: (_w, as) => as.page('POST', '/compliance/integrity/verify'),
    expect: allowed(compliancePage, 303),
  },
  'POST /compliance/exports': {
    kind: 'page',
    call: (w, as) => as.page('POST', '/compliance/exports', { consentId: w.live.consentId, format: 'csv' }),
    expect: allowed(compliancePage, 303),
  },
  'POST /compliance/integrity/checkpoints': {
    kind: 'page',
    call: (_w, as) => as.page('POST', '/compliance/integrity/checkpoints'),
    expect: allowed(compliancePage, 303),
  },
  ...Object.fromEntries(
    Object.entries(complianceApi).map(([key, path]) => [
      key,
      { kind: 'api', call: (w, as) => as.api('GET', path(w)), expect: compliancePage } satisfies Row,
    ]),
  ),
  'POST /api/compliance/checkpoints': {
    kind: 'api',
    call: (_w, as) => as.api('POST', '/api/compliance/checkpoints'),
    expect: allowed(compliancePage, 201),
  },
  'POST /api/compliance/verifications': {
    kind: 'api',
    call: (_w, as) => as.api('POST', '/api/compliance/verifications'),
    expect: compliancePage,
  },

  // The Open Banking consent API (client-credentials tokens).
  'POST /open-banking/v4.0/aisp/account-access-consents': {
    kind: 'ob',
    call: (_w, as) =>
      as.ob('POST', '/account-access-consents', 'client', { Data: { Permissions: permissions }, Risk: {} }),
    // Any registered app may ask for a consent.
    expect: allowed({ ...consentApi, appNoConsent: 200 }, 201),
  },
  'GET /open-banking/v4.0/aisp/account-access-consents/:ConsentId': {
    kind: 'ob',
    call: (w, as) => as.ob('GET', `/account-access-consents/${w.live.consentId}`, 'client'),
    expect: consentApi,
  },
  'DELETE /open-banking/v4.0/aisp/account-access-consents/:ConsentId': {
    kind: 'ob',
    call: async (w, as) => {
      const id = await w.pendingConsent();
      return {
        ...(await as.ob('DELETE', `/account-access-consents/${id}`, 'client')),
        untouched: consentStatusIs(id, 'AWAU'),
      };
    },
    expect: allowed(consentApi, 204),
  },

  // The Open Banking account information API (the customer's consent's access token).
  'GET /open-banking/v4.0/aisp/accounts': {
    kind: 'ob',
    call: (_w, as) => as.ob('GET', '/accounts', 'customer'),
    expect: consentData,
  },
  'GET /open-banking/v4.0/aisp/accounts/:AccountId': {
    kind: 'ob',
    call: (w, as) => as.ob('GET', `/accounts/${w.ownerAccounts[0]}`, 'customer'),
    expect: accountData,
  },
  'GET /open-banking/v4.0/aisp/accounts/:AccountId/balances': {
    kind: 'ob',
    call: (w, as) => as.ob('GET', `/accounts/${w.ownerAccounts[0]}/balances`, 'customer'),
    expect: accountData,
  },
  'GET /open-banking/v4.0/aisp/balances': {
    kind: 'ob',
    call: (_w, as) => as.ob('GET', '/balances', 'customer'),
    expect: consentData,
  },
  'GET /open-banking/v4.0/aisp/accounts/:AccountId/transactions': {
    kind: 'ob',
    call: (w, as) => as.ob('GET', `/accounts/${w.ownerAccounts[0]}/transactions`, 'customer'),
    expect: accountData,
  },
  'GET /open-banking/v4.0/aisp/transactions': {
    kind: 'ob',
    call: (_w, as) => as.ob('GET', '/transactions', 'customer'),
    expect: consentData,
  },

  // The authorisation server.
  'POST /oauth/token': {
    kind: 'oauth',
    call: (w, as) => {
      const refresh = (grant: Grant) =>
        asApp(
          w,
          w.x,
          '/oauth/token',
          { grant_type: 'refresh_token', refresh_token: grant.refresh },
          w.cx.dpopKeys,
        );
      switch (as.role) {
        case 'app':
          return refresh(w.live);
        case 'appNoConsent':
          return asApp(
            w,
            w.y,
            '/oauth/token',
            { grant_type: 'client_credentials', scope: 'accounts' },
            w.cy.dpopKeys,
          );
        case 'appRevokedConsent':
          return refresh(w.revoked);
        case 'appOtherCustomer':
          return refresh(w.otherConsent);
        default:
          return as.page('POST', '/oauth/token', { grant_type: 'client_credentials', scope: 'accounts' });
      }
    },
    expect: {
      people: { status: 400, check: (r) => assert.equal(r.json?.error, 'invalid_dpop_proof') },
      apps: { status: 200, check: (r) => assert.equal(r.json?.token_type, 'DPoP') },
      appRevokedConsent: { status: 400, check: (r) => assert.equal(r.json?.error, 'invalid_grant') },
    },
  },
  'POST /oauth/par': {
    kind: 'oauth',
    call: async (w, as) => {
      if (!apps.includes(as.role))
        return as.page('POST', '/oauth/par', { client_id: w.x.clientId, scope: 'openid accounts' });
      const consentId = {
        app: () => w.pendingConsent(),
        appNoConsent: () => w.pendingConsent(w.y.clientId),
        appRevokedConsent: async () => w.revoked.consentId,
        appOtherCustomer: async () => w.otherConsent.consentId,
      }[as.role as 'app'];
      const app = as.role === 'appNoConsent' ? w.y : w.x;
      const intent = { openbanking_intent_id: { value: await consentId(), essential: true } };
      return asApp(w, app, '/oauth/par', {
        response_type: 'code',
        redirect_uri: app.redirectUri,
        scope: 'openid accounts',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        claims: JSON.stringify({ id_token: intent }),
      });
    },
    // Pushing is the app's to do; the consent screen decides whether a consent can be authorised.
    expect: {
      people: { status: 401, check: (r) => assert.equal(r.json?.error, 'invalid_client') },
      apps: 201,
    },
  },
  'GET /oauth/authorize': {
    kind: 'oauth',
    call: async (w, as) => {
      const { path } = await w.push(await w.pendingConsent());
      // App Y presenting app X's pushed request as its own.
      const asked = as.role === 'appNoConsent' ? path.replace(w.x.clientId, w.y.clientId) : path;
      return as.page('GET', asked);
    },
    // Anyone's browser may start the flow; the consent screen asks who they are.
    expect: { all: to(interactionPath), appNoConsent: 400 },
  },
  'POST /oauth/authorize': {
    kind: 'oauth',
    call: async (w, as) => as.page('POST', '/oauth/authorize', { client_id: w.x.clientId }),
    expect: { all: 404 },
  },
  'GET /oauth/authorize/:uid': {
    kind: 'oauth',
    sequential: true,
    call: async (w, as) => {
      // The customer approves in their browser; the resume step is asked for by the caller.
      const owner = w.callers.customer;
      const screen = await w.interactionIn(owner.agent, await w.pendingConsent());
      const decided = await owner.page('POST', screen, { decision: 'approve', accountIds: w.ownerAccounts });
      assert.equal(decided.status, 303, decided.text);
      return as.page('GET', pathOf(decided.headers.location!));
    },
    expect: { all: 400, customer: to(/^http:\/\/127\.0\.0\.1:\d+\/cb\?code=/) },
  },
  'GET /oauth/userinfo': {
    kind: 'oauth',
    call: (w, as) =>
      as.bearer() ? withToken(w, 'GET', '/oauth/userinfo', as.bearer()!) : as.page('GET', '/oauth/userinfo'),
    expect: { people: 401, app: 200, appNoConsent: 401, appRevokedConsent: 401, appOtherCustomer: 200 },
  },
  'POST /oauth/userinfo': {
    kind: 'oauth',
    call: (w, as) =>
      as.bearer()
        ? withToken(w, 'POST', '/oauth/userinfo', as.bearer()!)
        : as.page('POST', '/oauth/userinfo'),
    expect: { people: 401, app: 200, appNoConsent: 401, appRevokedConsent: 401, appOtherCustomer: 200 },
  },
  'POST /oauth/revoke': {
    kind: 'oauth',
    // Revoking a token ends every token of its grant, so each cell spends a grant of its own.
    sequential: true,
    call: async (w, as) => {
      if (!apps.includes(as.role)) return as.page('POST', '/oauth/revoke', { token: w.live.access });
      const token = {
        app: async () => (await w.tokensThrough(w.callers.customer, w.ownerAccounts)).access,
        appNoConsent: async () => (await w.tokensThrough(w.callers.customer, w.ownerAccounts)).access,
        appRevokedConsent: async () => w.revoked.access,
        appOtherCustomer: async () =>
          (
            await w.tokensThrough(
              w.callers.otherCustomer,
              w.other.accounts.map((a) => a.accountId),
            )
          ).access,
      }[as.role as 'app'];
      const value = await token();
      const reply = await asApp(w, as.role === 'appNoConsent' ? w.y : w.x, '/oauth/revoke', { token: value });
      return {
        ...reply,
        untouched: async () => {
          const seen = await asApp(w, w.x, '/oauth/introspect', { token: value });
          assert.equal(seen.json?.active, true, 'the token still works');
        },
      };
    },
    expect: {
      people: { status: 400, check: (r) => assert.equal(r.json?.error, 'invalid_request') },
      apps: 200,
      // Another app's token: answered as RFC 7009 allows, and left alone.
      appNoConsent: { status: 200, noEffect: true },
    },
  },
  'POST /oauth/introspect': {
    kind: 'oauth',
    call: (w, as) => {
      if (!apps.includes(as.role)) return as.page('POST', '/oauth/introspect', { token: w.live.access });
      const token = {
        app: w.live.access,
        appNoConsent: w.live.access,
        appRevokedConsent: w.revoked.access,
        appOtherCustomer: w.otherConsent.access,
      }[as.role as 'app'];
      return asApp(w, as.role === 'appNoConsent' ? w.y : w.x, '/oauth/introspect', { token });
    },
    expect: {
      people: 400,
      app: { status: 200, check: (r) => assert.equal(r.json?.active, true) },
      appNoConsent: { status: 200, check: (r) => assert.equal(r.json?.active, false) },
      appRevokedConsent: { status: 200, check: (r) => assert.equal(r.json?.active, false) },
      appOtherCustomer: { status: 200, check: (r) => assert.equal(r.json?.active, true) },
    },
  },
  'POST /oauth/logout/confirm': {
    kind: 'oauth',
    // Registered by the authorisation server even with logout disabled: it finds no logout to confirm.
    call: (_w, as) => as.page('POST', '/oauth/logout/confirm', { logout: 'yes' }),
    expect: { all: 400 },
  },
};

// ---------------------------------------------------------------------------------------
// Checking a cell

function checkCell(kind: Kind, cell: Cell, reply: Reply) {
  const where = `${reply.method} ${reply.path} -> ${reply.status} ${reply.text.slice(0, 200)}`;
  if (cell === S) {
    if (kind === 'api') {
      assert.equal(reply.status, 401, where);
      assert.equal(reply.json?.error, 'unauthenticated', where);
    } else if (reply.method === 'GET') {
      assert.equal(reply.status, 303, where);
      assert.equal(reply.headers.location, `/signin?next=${encodeURIComponent(reply.path)}`, where);
    } else {
      assert.equal(reply.status, 401, where);
      assert.match(reply.text, /Sign in to continue/, where);
    }
    return;
  }
  const expected: Expect = typeof cell === 'number' ? { status: cell } : cell;
  assert.equal(reply.status, expected.status, where);
  if (expected.location instanceof RegExp)
    assert.match(reply.headers.location ?? '', expected.location, where);
  else if (expected.location !== undefined) assert.equal(reply.headers.location, expected.location, where);
  expected.check?.(reply);
  // A refusal must be the route's refusal, never a CSRF failure that would hide it.
  if (reply.status === 403 && (kind === 'page' || kind === 'api')) {
    assert.doesNotMatch(reply.text, /csrf_invalid|This form has expired/, where);
    if (kind === 'api') assert.equal(reply.json?.error, 'forbidden', where);
    else assert.match(reply.text, /<title>You do not have access to this page/, where);
  }
  if (kind === 'ob' && reply.status >= 400) {
    assert.ok(Array.isArray(reply.json?.Errors) && reply.json.Errors.length > 0, `OB error body: ${where}`);
    if (reply.status === 401) {
      assert.equal(reply.json.Errors[0].ErrorCode, 'U011', where);
      assert.match(reply.headers['www-authenticate'] ?? '', /^DPoP /, where);
    }
  }
}

const refused = (cell: Cell) =>
  cell === S || (typeof cell === 'number' ? cell >= 400 : cell.status >= 400 || cell.noEffect === true);

// ---------------------------------------------------------------------------------------

describe('role x route matrix', function () {
  this.timeout(120_000);
  let world: World;
  let inventory: InventoryRoute[];
  let started = 0;
  let built = 0;
  let cells = 0;

  before(async () => {
    started = performance.now();
    world = await buildWorld();
    built = performance.now();
    inventory = routeInventory(world.server.app, world.server.provider);
  });
  after(async () => {
    await world?.server.close();
    const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
    console.log(
      `      role x route matrix: ${inventory?.length ?? 0} routes, ${roles.length} roles, ${cells} cells, ` +
        `${seconds(started)} s (setup ${((built - started) / 1000).toFixed(1)} s)`,
    );
  });

  it('has a row for every route the app serves, and no row for a route it does not', () => {
    const served = new Set(inventory.map(routeKey));
    const listed = new Set(Object.keys(matrix));
    assert.deepEqual(
      {
        untested: [...served].filter((key) => !listed.has(key)),
        gone: [...listed].filter((key) => !served.has(key)),
      },
      { untested: [], gone: [] },
      'every route needs a row (untested: add one), and every row a route (gone: remove it)',
    );
  });

  it('every route states who it admits (requireRole, anyone or an app-token guard)', () => {
    const unguarded = inventory.filter((r) => r.guard.kind === 'none').map(routeKey);
    assert.deepEqual(unguarded, [], 'routes without a guard');
  });

  it('the table agrees with each route’s role guard', () => {
    for (const route of inventory) {
      if (route.guard.kind !== 'roles') continue;
      const row = matrix[routeKey(route)];
      if (!row) continue;
      const admits = route.guard.roles;
      const staff = {
        customer: 'customer',
        otherCustomer: 'customer',
        compliance: 'compliance',
        admin: 'admin',
      };
      for (const [role, guardRole] of Object.entries(staff)) {
        const cell = cellFor(row.expect, role as Role);
        if (!admits.includes(guardRole))
          assert.equal(cell, 403, `${routeKey(route)}: ${role} is refused by the guard`);
        else assert.notEqual(cell, 403, `${routeKey(route)}: ${role} is admitted by the guard`);
      }
      for (const role of ['anonymous', ...apps] as Role[]) {
        assert.equal(cellFor(row.expect, role), S, `${routeKey(route)}: ${role} is sent to sign in`);
      }
    }
  });

  for (const [key, row] of Object.entries(matrix)) {
    it(key, async () => {
      const failures: string[] = [];
      const cell = async (role: Role) => {
        const expected = cellFor(row.expect, role);
        if (expected === undefined) {
          failures.push(`${role}: no expected outcome in the table`);
          return;
        }
        try {
          const as = row.ownSession ? await world.newCaller(role) : world.callers[role];
          const reply = await row.call(world, as);
          cells += 1;
          checkCell(row.kind, expected, reply);
          if (outsiders.includes(role)) {
            for (const secret of [...world.ownerAccounts, world.owner.person.customerId!]) {
              assert.ok(!reply.text.includes(secret), `${role} was shown the customer's ${secret}`);
            }
          }
          if (refused(expected)) await reply.untouched?.();
        } catch (error) {
          failures.push(`${role}: ${(error as Error).message}`);
        }
      };
      if (row.sequential) for (const role of roles) await cell(role);
      else await Promise.all(roles.map(cell));
      assert.deepEqual(failures, [], `${key}\n  ${failures.join('\n  ')}`);
    });
  }
});
