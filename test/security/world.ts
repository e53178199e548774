import * as client from 'openid-client';
import { VerificationRunModel } from '../../src/compliance/verification-run.model.js';
import { signedInAgent } from '../helpers/agent.js';
import { createPerson, type TestPerson } from '../helpers/factories.js';
import {
  connectedApp,
  createConsentAs,
  csrfOf,
  startOAuthServer,
  TestBrowser,
  type AppClient,
  type TestApp,
} from '../helpers/oauth-client.js';

export const allPermissions = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadPAN',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

/**
 * A running bank with one of everything the pages act on: a customer who authorised an
 * app, signed-in agents for the customer, an admin and a compliance officer.
 */
export async function securityWorld(overrides: Record<string, string> = {}) {
  const server = await startOAuthServer(overrides);
  const linked = await connectedApp(server, allPermissions, { transactions: 5 });
  const [customer, admin, compliance] = await Promise.all([
    signedInAgent(server.app, linked.person),
    createPerson('admin').then((p) => signedInAgent(server.app, p)),
    createPerson('compliance').then(async (person) => ({
      ...(await signedInAgent(server.app, person)),
      person,
    })),
  ]);
  return { server, linked, customer, admin, compliance, close: () => server.close() };
}

export type SecurityWorld = Awaited<ReturnType<typeof securityWorld>>;

/**
 * A new pending consent of the app, pushed (PAR, PKCE) and opened by the customer in a
 * browser that signed in on the way: the consent screen, ready to be decided.
 */
export async function openConsentScreen(
  issuer: string,
  app: TestApp,
  c: AppClient,
  person: TestPerson,
  permissions = ['ReadAccountsBasic'],
) {
  const created = await createConsentAs(issuer, c, { Permissions: permissions });
  const consentId = created.body.Data.ConsentId;
  const intent = { openbanking_intent_id: { value: consentId, essential: true } };
  const url = await client.buildAuthorizationUrlWithPAR(
    c.config,
    {
      redirect_uri: app.redirectUri,
      scope: 'openid accounts',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: client.randomState(),
      nonce: client.randomNonce(),
      claims: JSON.stringify({ id_token: intent, userinfo: intent }),
    },
    { DPoP: c.DPoP },
  );
  const browser = new TestBrowser();
  const signin = await browser.follow(url.href, issuer);
  const signedIn = await browser.postForm(`${issuer}/signin`, {
    _csrf: csrfOf(await signin.res.text()),
    email: person.email,
    password: person.password,
    next: new URL(signin.url).searchParams.get('next')!,
  });
  const screen = await browser.follow(
    new URL(signedIn.headers.get('location')!, issuer).href,
    issuer,
    app.redirectUri,
  );
  const html = await screen.res.text();
  return { browser, url: screen.url, uid: screen.url.split('/').at(-1)!, html, consentId };
}

/** Waits until no verification run started from the compliance pages is still writing. */
export async function verificationRunsSettled(timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (
    await VerificationRunModel.exists({
      status: 'running',
      startedAt: { $gt: new Date(Date.now() - 600_000) },
    })
  ) {
    if (Date.now() > deadline) throw new Error('a verification run is still running');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A client-credentials token of the app, for the consent endpoints. */
export async function clientToken(c: AppClient) {
  return (await client.clientCredentialsGrant(c.config, { scope: 'accounts' }, { DPoP: c.DPoP }))
    .access_token;
}

/**
 * One call to the OB API as the app makes it (DPoP-bound token, fresh proof), with any
 * body and content type; answers the status and the parsed body whatever the outcome.
 */
export async function obCall(
  c: AppClient,
  accessToken: string,
  method: string,
  url: string,
  options: { body?: string | ReadableStream; contentType?: string; headers?: Record<string, string> } = {},
) {
  const headers = new Headers(options.headers);
  if (options.contentType) headers.set('content-type', options.contentType);
  let res: Response;
  try {
    res = await client.fetchProtectedResource(
      c.config,
      accessToken,
      new URL(url),
      method,
      options.body as never,
      headers,
      {
        DPoP: c.DPoP,
      },
    );
  } catch (error) {
    const e = error as { response?: Response; cause?: Response };
    const response = e.response ?? e.cause;
    if (!(response instanceof Response)) throw error;
    res = response;
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body, text };
}
