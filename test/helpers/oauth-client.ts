/* eslint-disable @typescript-eslint/no-explicit-any -- OB response bodies are read loosely in assertions */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { insertApp } from '../../src/apps/app.repository.js';
import { newClientId } from '../../src/apps/app.service.js';
import { csrfFrom } from './agent.js';
import { createCustomerWithAccounts } from './factories.js';
import { obBasePath } from '../../src/open-banking/ob-api.js';
import type { AuditLog } from '../../src/audit/audit-log.js';
import { buildFullTestApp, createTestAuditLog } from './app.js';

/** The real app listening on loopback, with its issuer (PUBLIC_URL) set to where it listens. */
export async function startOAuthServer(
  overrides: Record<string, string> = {},
  now?: () => Date,
  audit: AuditLog = createTestAuditLog(),
) {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const built = buildFullTestApp({ PUBLIC_URL: issuer, TRUST_PROXY: 'false', ...overrides }, audit, now);
  server.on('request', built.app);
  return {
    ...built,
    server,
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TestApp {
  clientId: string;
  privateKey: CryptoKey;
  kid: string;
  redirectUri: string;
}

/** Registers an app with a fresh ES256 key pair, as an operator would with npm run app:register. */
export async function registerTestApp(issuer: string, extra: { webhookUrl?: string } = {}): Promise<TestApp> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `key-${Math.random().toString(36).slice(2, 10)}`;
  const redirectUri = `${issuer}/cb`;
  // Test data, stored as registration would store it: every test's app is "Budget Buddy",
  // which registration itself refuses after the first (app names are unique).
  const app = await insertApp({
    _id: newClientId(),
    name: 'Budget Buddy',
    purpose: 'Shows your spending by category across your banks.',
    legalName: 'Budget Buddy Ltd',
    registration: 'FCA firm reference 987654',
    redirectUris: [redirectUri],
    jwks: {
      keys: [{ ...(await exportJWK(publicKey)), kty: 'EC', kid, use: 'sig', alg: 'ES256' }],
    },
    tokenEndpointAuthMethod: 'private_key_jwt',
    status: 'active',
    createdBy: 'test-operator',
    ...extra,
  });
  return { clientId: app._id, privateKey, kid, redirectUri };
}

/** An openid-client configuration and DPoP handle for a registered app, as a real fintech would set up. */
export async function appClient(issuer: string, app: TestApp) {
  const config = await client.discovery(
    new URL(issuer),
    app.clientId,
    { id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'private_key_jwt' },
    client.PrivateKeyJwt({ key: app.privateKey, kid: app.kid }),
    { execute: [client.allowInsecureRequests] },
  );
  const dpopKeys = await client.randomDPoPKeyPair('ES256');
  const DPoP = client.getDPoPHandle(config, dpopKeys);
  return { config, DPoP, dpopKeys };
}

export type AppClient = Awaited<ReturnType<typeof appClient>>;

/** A response body from the OB API: consent bodies and OB error bodies, loosely typed for assertions. */
export interface ObBody {
  Data: { ConsentId: string; Status: string; [key: string]: unknown };
  Errors?: { ErrorCode: string; Message: string; Path?: string }[];
  [key: string]: unknown;
}

export const consentsUrl = (issuer: string) => new URL(`${issuer}${obBasePath}/account-access-consents`);

/** Client credentials, then POST /account-access-consents; returns the new ConsentId. */
export async function createConsentAs(issuer: string, c: AppClient, data: Record<string, unknown>) {
  const cc = await client.clientCredentialsGrant(c.config, { scope: 'accounts' }, { DPoP: c.DPoP });
  const res = await client.fetchProtectedResource(
    c.config,
    cc.access_token,
    consentsUrl(issuer),
    'POST',
    JSON.stringify({ Data: data, Risk: {} }),
    new Headers({ 'content-type': 'application/json' }),
    { DPoP: c.DPoP },
  );
  return {
    status: res.status,
    body: (await res.json()) as ObBody,
    accessToken: cc.access_token,
  };
}

/** A minimal cookie-keeping browser for the redirects between the app, the authorisation server and the consent screen. */
export class TestBrowser {
  private cookies = new Map<string, string>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects until a page answers, or until a URL outside `stopAt` is reached. */
  async follow(url: string, base: string, stopAt?: string): Promise<{ url: string; res: Response }> {
    let current = url;
    for (let hop = 0; hop < 15; hop++) {
      if (stopAt && current.startsWith(stopAt))
        return { url: current, res: new Response(null, { status: 200 }) };
      const res = await this.fetch(current);
      if (res.status < 300 || res.status >= 400) return { url: current, res };
      current = new URL(res.headers.get('location')!, base).href;
    }
    throw new Error('too many redirects');
  }

  async postForm(url: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    return this.fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }
}

/** The page's CSRF token (the one reader, in agent.ts). */
export const csrfOf = csrfFrom;

/** PAR with PKCE S256 and the consent as the essential openbanking_intent_id claim. */
export async function pushAuthorisation(app: TestApp, c: AppClient, consentId: string) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const intent = { openbanking_intent_id: { value: consentId, essential: true } };
  const authorizationUrl = await client.buildAuthorizationUrlWithPAR(
    c.config,
    {
      redirect_uri: app.redirectUri,
      scope: 'openid accounts',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      claims: JSON.stringify({ id_token: intent, userinfo: intent }),
    },
    { DPoP: c.DPoP },
  );
  return { authorizationUrl, codeVerifier, state, nonce };
}

/**
 * PAR with PKCE and the consent as the essential openbanking_intent_id claim, then a
 * customer signing in and deciding on the consent screen. Returns where the browser was
 * sent back to the app.
 */
export async function authoriseInBrowser(
  issuer: string,
  app: TestApp,
  c: AppClient,
  consentId: string,
  customer: { email: string; password: string },
  decide: (screen: string) => Record<string, string | string[]> | Promise<Record<string, string | string[]>>,
) {
  const { authorizationUrl, codeVerifier, state, nonce } = await pushAuthorisation(app, c, consentId);

  const browser = new TestBrowser();
  const signin = await browser.follow(authorizationUrl.href, issuer);
  assert.match(
    signin.url,
    /\/signin\?next=%2Foauth%2Finteraction%2F/,
    'the customer is asked to sign in first',
  );
  const signinPage = await signin.res.text();
  const next = new URL(signin.url).searchParams.get('next')!;
  const signedIn = await browser.postForm(`${issuer}/signin`, {
    _csrf: csrfOf(signinPage),
    email: customer.email,
    password: customer.password,
    next,
  });
  assert.equal(signedIn.status, 303);
  const screen = await browser.follow(
    new URL(signedIn.headers.get('location')!, issuer).href,
    issuer,
    app.redirectUri,
  );
  if (screen.url.startsWith(app.redirectUri)) {
    // The authorisation server sent the customer straight back (the consent could not be decided).
    return {
      screenUrl: screen.url,
      screenHtml: '',
      decided: screen.res,
      callback: screen.url,
      codeVerifier,
      state,
      nonce,
      browser,
    };
  }
  const html = await screen.res.text();
  const decided = await browser.postForm(screen.url, { _csrf: csrfOf(html), ...(await decide(html)) });
  const back =
    decided.status === 303
      ? await browser.follow(new URL(decided.headers.get('location')!, issuer).href, issuer, app.redirectUri)
      : undefined;
  return {
    screenUrl: screen.url,
    screenHtml: html,
    decided,
    callback: back?.url,
    codeVerifier,
    state,
    nonce,
    browser,
  };
}

export async function exchangeCode(
  c: AppClient,
  flow: { callback?: string; codeVerifier: string; state: string; nonce: string },
) {
  assert.ok(flow.callback, 'the browser came back to the app');
  return client.authorizationCodeGrant(
    c.config,
    new URL(flow.callback),
    {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    },
    undefined,
    { DPoP: c.DPoP },
  );
}

export const accountIdsOn = (html: string) =>
  [...html.matchAll(/name="accountIds" value="([^"]+)"/g)].map((m) => m[1]!);

/** A customer with two accounts who authorised `permissions` on `chosen` of them; the app holds tokens. */
export async function connectedApp(
  server: { issuer: string },
  permissions: string[],
  options: {
    chosen?: (accountIds: string[]) => string[];
    transactions?: number;
    consent?: Record<string, unknown>;
  } = {},
) {
  const { person, accounts } = await createCustomerWithAccounts(options.transactions ?? 40);
  const app = await registerTestApp(server.issuer);
  const c = await appClient(server.issuer, app);
  const created = await createConsentAs(server.issuer, c, { Permissions: permissions, ...options.consent });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const consentId = created.body.Data.ConsentId;
  const ids = accounts.map((a) => a.accountId);
  const chosen = options.chosen ? options.chosen(ids) : ids;
  const flow = await authoriseInBrowser(server.issuer, app, c, consentId, person, () => ({
    decision: 'approve',
    accountIds: chosen,
  }));
  const tokens = await exchangeCode(c, flow);
  return { app, c, tokens, consentId, person, accounts, chosen };
}

/** Calls the data API as the app does, with a fresh DPoP proof; attended unless said otherwise. */
export async function readData(
  issuer: string,
  c: AppClient,
  accessToken: string,
  path: string,
  options: { attended?: boolean; headers?: Record<string, string> } = {},
) {
  const headers = new Headers();
  if (options.attended !== false) headers.set('x-fapi-customer-ip-address', '198.51.100.7');
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  const url = path.startsWith('http') ? new URL(path) : new URL(`${issuer}${obBasePath}${path}`);
  try {
    const res = await client.fetchProtectedResource(c.config, accessToken, url, 'GET', undefined, headers, {
      DPoP: c.DPoP,
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  } catch (error) {
    // openid-client throws on a 401 with a DPoP challenge.
    const e = error as { status?: number; response?: Response; cause?: Response };
    const response = e.response ?? e.cause;
    return {
      status: e.status ?? response?.status ?? 0,
      body: response ? ((await response.json().catch(() => ({}))) as Record<string, any>) : {},
    };
  }
}

/** PAR and approval for a customer already signed in to the bank in `browser`. */
export async function authoriseSignedIn(
  issuer: string,
  app: TestApp,
  c: AppClient,
  consentId: string,
  browser: TestBrowser,
  accountIds: string[],
) {
  const { authorizationUrl, codeVerifier, state, nonce } = await pushAuthorisation(app, c, consentId);
  const screen = await browser.follow(authorizationUrl.href, issuer, app.redirectUri);
  const decided = await browser.postForm(screen.url, {
    _csrf: csrfOf(await screen.res.text()),
    decision: 'approve',
    accountIds,
  });
  const back = await browser.follow(
    new URL(decided.headers.get('location')!, issuer).href,
    issuer,
    app.redirectUri,
  );
  return { callback: back.url, codeVerifier, state, nonce };
}
