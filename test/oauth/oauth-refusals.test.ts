import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { setAppStatus } from '../../src/apps/app.service.js';
import { readConsent } from '../../src/consents/consent.repository.js';
import { revokeConsentByCustomer } from '../../src/consents/consent-customer.service.js';
import { createTestAuditLog } from '../helpers/app.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';
import {
  appClient,
  authoriseInBrowser,
  consentsUrl,
  createConsentAs,
  exchangeCode,
  registerTestApp,
  startOAuthServer,
  type AppClient,
  type TestApp,
} from '../helpers/oauth-client.js';

const permissions = ['ReadAccountsBasic', 'ReadTransactionsBasic', 'ReadTransactionsDebits'];

describe('OAuth: refusals and revocation', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;
  let app: TestApp;
  let c: AppClient;

  before(async () => {
    server = await startOAuthServer();
    app = await registerTestApp(server.issuer);
    c = await appClient(server.issuer, app);
  });
  after(async () => server?.close());

  /** A full authorisation, returning the tokens and the consent id. */
  async function authorised() {
    const { person, accounts } = await createCustomerWithAccounts(3);
    const consentId = (await createConsentAs(server.issuer, c, { Permissions: permissions })).body.Data
      .ConsentId;
    const flow = await authoriseInBrowser(server.issuer, app, c, consentId, person, () => ({
      decision: 'approve',
      accountIds: [accounts[0]!.accountId],
    }));
    return { tokens: await exchangeCode(c, flow), consentId, person };
  }

  it('refuses an authorisation request that was not pushed (PAR is required)', async () => {
    const url = client.buildAuthorizationUrl(c.config, {
      redirect_uri: app.redirectUri,
      scope: 'openid accounts',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(
      location.searchParams.get('error_description')!,
      /Pushed Authorization Request must be used/,
    );
  });

  it('refuses a pushed request without PKCE, or without the consent as the essential intent claim', async () => {
    await assert.rejects(
      client.buildAuthorizationUrlWithPAR(
        c.config,
        { redirect_uri: app.redirectUri, scope: 'openid accounts' },
        { DPoP: c.DPoP },
      ),
      (error: { error?: string; error_description?: string }) =>
        error.error === 'invalid_request' && /requires PKCE/.test(error.error_description ?? ''),
    );
    await assert.rejects(
      client.buildAuthorizationUrlWithPAR(
        c.config,
        {
          redirect_uri: app.redirectUri,
          scope: 'openid accounts',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        },
        { DPoP: c.DPoP },
      ),
      (error: { error?: string; error_description?: string }) =>
        error.error === 'invalid_request' && /openbanking_intent_id/.test(error.error_description ?? ''),
    );
  });

  it('refuses a token request without a DPoP proof', async () => {
    await assert.rejects(
      client.clientCredentialsGrant(c.config, { scope: 'accounts' }),
      (error: { error?: string; error_description?: string }) =>
        error.error === 'invalid_dpop_proof' &&
        /DPoP proof \(DPoP header\) is required/.test(error.error_description ?? ''),
    );
  });

  it('refuses a client whose assertion is signed with a key it did not register', async () => {
    const stranger = await registerTestApp(server.issuer);
    const impostor = await appClient(server.issuer, {
      ...app,
      privateKey: stranger.privateKey,
      kid: stranger.kid,
    });
    await assert.rejects(
      client.clientCredentialsGrant(impostor.config, { scope: 'accounts' }, { DPoP: impostor.DPoP }),
      {
        error: 'invalid_client',
      },
    );
  });

  it('a second approval of the same consent is refused', async () => {
    const { consentId, person } = await authorised();
    const again = await authoriseInBrowser(server.issuer, app, c, consentId, person, () => ({
      decision: 'approve',
      accountIds: [],
    }));
    const callback = new URL(again.callback!);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.match(callback.searchParams.get('error_description')!, /AUTH, not awaiting authorisation/);
  });

  it('after the app deletes the consent, its tokens are dead: introspection inactive, refresh refused', async () => {
    const { tokens, consentId } = await authorised();
    const cc = await client.clientCredentialsGrant(c.config, { scope: 'accounts' }, { DPoP: c.DPoP });
    const deleted = await client.fetchProtectedResource(
      c.config,
      cc.access_token,
      new URL(`${consentsUrl(server.issuer)}/${consentId}`),
      'DELETE',
      undefined,
      undefined,
      { DPoP: c.DPoP },
    );
    assert.equal(deleted.status, 204);
    assert.equal((await readConsent(consentId))?.status, 'CANC');
    assert.equal((await client.tokenIntrospection(c.config, tokens.access_token)).active, false);
    assert.equal((await client.tokenIntrospection(c.config, tokens.refresh_token!)).active, false);
    await assert.rejects(
      client.refreshTokenGrant(c.config, tokens.refresh_token!, undefined, { DPoP: c.DPoP }),
      {
        error: 'invalid_grant',
      },
    );
  });

  it('after the customer revokes, the same holds', async () => {
    const { tokens, consentId, person } = await authorised();
    await revokeConsentByCustomer(server.consentDeps, person.customerId!, consentId, {});
    assert.equal((await client.tokenIntrospection(c.config, tokens.access_token)).active, false);
    await assert.rejects(
      client.refreshTokenGrant(c.config, tokens.refresh_token!, undefined, { DPoP: c.DPoP }),
      {
        error: 'invalid_grant',
      },
    );
  });

  it('suspending an app stops all its tokens at once, and reactivating lets it in again', async () => {
    const other = await registerTestApp(server.issuer);
    const oc = await appClient(server.issuer, other);
    const cc = await client.clientCredentialsGrant(oc.config, { scope: 'accounts' }, { DPoP: oc.DPoP });
    await setAppStatus(createTestAuditLog(), { id: 'admin' }, other.clientId, 'suspended');
    await assert.rejects(client.clientCredentialsGrant(oc.config, { scope: 'accounts' }, { DPoP: oc.DPoP }), {
      error: 'invalid_client',
    });
    const refused = await client.fetchProtectedResource(
      oc.config,
      cc.access_token,
      new URL(`${consentsUrl(server.issuer)}/x`),
      'GET',
      undefined,
      undefined,
      { DPoP: oc.DPoP },
    );
    assert.ok([401, 403].includes(refused.status));
    await setAppStatus(createTestAuditLog(), { id: 'admin' }, other.clientId, 'active');
    await client.clientCredentialsGrant(oc.config, { scope: 'accounts' }, { DPoP: oc.DPoP });
  });
});
