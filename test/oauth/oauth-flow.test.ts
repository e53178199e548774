import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { readConsent } from '../../src/consents/consent.repository.js';
import { auditEventsWhere } from '../helpers/audit.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';
import {
  accountIdsOn,
  appClient,
  authoriseInBrowser,
  createConsentAs,
  exchangeCode,
  registerTestApp,
  startOAuthServer,
} from '../helpers/oauth-client.js';

const permissions = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

describe('OAuth: an app gets access the way a regulated fintech does', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('discovery advertises the FAPI 2.0 profile', async () => {
    const metadata = (await (
      await fetch(`${server.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    assert.equal(metadata.issuer, server.issuer);
    assert.equal(metadata.require_pushed_authorization_requests, true);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['private_key_jwt']);
    assert.ok((metadata.dpop_signing_alg_values_supported as string[]).includes('ES256'));
    assert.equal(metadata.claims_parameter_supported, true);
    assert.ok((metadata.claims_supported as string[]).includes('openbanking_intent_id'));
  });

  it('walks consent creation, PAR, sign-in and approval, and the code exchange, to DPoP-bound tokens bound to the consent', async () => {
    const { person, accounts } = await createCustomerWithAccounts(10, 'alice');
    const app = await registerTestApp(server.issuer);
    const c = await appClient(server.issuer, app);

    const created = await createConsentAs(server.issuer, c, { Permissions: permissions });
    assert.equal(created.status, 201);
    const consentId = created.body.Data.ConsentId;
    assert.equal(created.body.Data.Status, 'AWAU');

    const chosen = accounts[1]!.accountId;
    const flow = await authoriseInBrowser(server.issuer, app, c, consentId, person, (html) => {
      assert.deepEqual(
        accountIdsOn(html).sort(),
        accounts.map((a) => a.accountId).sort(),
        'each of the customer’s accounts is offered',
      );
      return { decision: 'approve', accountIds: [chosen] };
    });
    assert.match(flow.screenHtml, /Budget Buddy<\/span> wants to see some of your data/);
    assert.match(flow.screenHtml, /Shows your spending by category across your banks\./);
    assert.match(flow.screenHtml, /Money going out/);
    assert.match(
      flow.screenHtml,
      /<button type="submit" name="decision" value="approve" class="button primary">Approve<\/button>/,
    );
    assert.match(flow.screenHtml, /<label for="account-[^"]+">Credit card/);

    const tokens = await exchangeCode(c, flow);
    assert.equal(tokens.token_type, 'dpop');
    assert.ok(tokens.refresh_token);
    assert.ok((tokens.expires_in ?? 0) <= 300);
    assert.equal(tokens.claims()?.openbanking_intent_id, consentId);
    assert.equal(tokens.claims()?.sub, person.customerId);

    const introspection = await client.tokenIntrospection(c.config, tokens.access_token);
    assert.equal(introspection.active, true);
    assert.equal(introspection.openbanking_intent_id, consentId);
    assert.ok((introspection.cnf as { jkt?: string })?.jkt, 'the token is bound to the DPoP key');

    const consent = await readConsent(consentId);
    assert.equal(consent?.status, 'AUTH');
    assert.deepEqual(consent?.accountIds, [chosen]);
    assert.equal(consent?.customerId, person.customerId);
    const actions = (await auditEventsWhere({ consentId })).map((e) => e.action);
    assert.deepEqual(actions, ['consent.created', 'consent.authorised']);

    const refreshed = await client.refreshTokenGrant(c.config, tokens.refresh_token!, undefined, {
      DPoP: c.DPoP,
    });
    assert.equal(refreshed.token_type, 'dpop');
  });

  it('an authorisation code is exchanged once: of three racing exchanges one wins, and the tokens it gave are then revoked', async () => {
    const { person } = await createCustomerWithAccounts(5, 'code-race');
    const app = await registerTestApp(server.issuer);
    const c = await appClient(server.issuer, app);
    const consentId = (await createConsentAs(server.issuer, c, { Permissions: permissions })).body.Data
      .ConsentId;
    const flow = await authoriseInBrowser(server.issuer, app, c, consentId, person, (html) => ({
      decision: 'approve',
      accountIds: accountIdsOn(html),
    }));
    const results = await Promise.allSettled([1, 2, 3].map(() => exchangeCode(c, flow)));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1, 'one exchange wins');
    for (const lost of results.filter((r) => r.status === 'rejected'))
      assert.match(String((lost.reason as { error?: string }).error), /invalid_grant/);
    const late = await exchangeCode(c, flow).catch((error: { error?: string }) => error);
    assert.equal((late as { error?: string }).error, 'invalid_grant');
    const tokens = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof exchangeCode>>>).value;
    const introspection = await client.tokenIntrospection(c.config, tokens.access_token);
    assert.equal(introspection.active, false, 'a reused code revokes what it gave (RFC 6749 4.1.2)');
  });

  it('a code used twice ends its consent too: cancelled with its reason, audited, and no longer shown as authorised', async () => {
    const { person } = await createCustomerWithAccounts(5, 'code-replay');
    const app = await registerTestApp(server.issuer);
    const c = await appClient(server.issuer, app);
    const consentId = (await createConsentAs(server.issuer, c, { Permissions: permissions })).body.Data
      .ConsentId as string;
    const flow = await authoriseInBrowser(server.issuer, app, c, consentId, person, (html) => ({
      decision: 'approve',
      accountIds: accountIdsOn(html),
    }));
    await exchangeCode(c, flow);
    const replay = await exchangeCode(c, flow).catch((error: { error?: string }) => error);
    assert.equal((replay as { error?: string }).error, 'invalid_grant');

    // The library revokes the grant as it answers; the consent follows within moments.
    let consent = await readConsent(consentId);
    for (let i = 0; i < 50 && consent?.status === 'AUTH'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      consent = await readConsent(consentId);
    }
    assert.equal(consent?.status, 'CANC');
    assert.equal(consent?.statusReason?.StatusReasonCode, 'C009');
    const ended = (await auditEventsWhere({ consentId, action: 'consent.revoked' }))[0];
    assert.equal(ended?.actor?.type, 'system');
    assert.match(ended?.reason ?? '', /authorisation code or refresh token was used twice/);
  });

  it('when the customer denies, the consent is rejected and the app is told access_denied', async () => {
    const { person } = await createCustomerWithAccounts(3, 'bob');
    const app = await registerTestApp(server.issuer);
    const c = await appClient(server.issuer, app);
    const consentId = (await createConsentAs(server.issuer, c, { Permissions: ['ReadAccountsBasic'] })).body
      .Data.ConsentId as string;
    const flow = await authoriseInBrowser(server.issuer, app, c, consentId, person, () => ({
      decision: 'deny',
    }));
    assert.equal(new URL(flow.callback!).searchParams.get('error'), 'access_denied');
    assert.equal((await readConsent(consentId))?.status, 'RJCT');
  });

  it('approving without choosing an account re-asks with a clear error and changes nothing', async () => {
    const { person } = await createCustomerWithAccounts(3, 'carol');
    const app = await registerTestApp(server.issuer);
    const c = await appClient(server.issuer, app);
    const consentId = (await createConsentAs(server.issuer, c, { Permissions: ['ReadAccountsBasic'] })).body
      .Data.ConsentId as string;
    const flow = await authoriseInBrowser(server.issuer, app, c, consentId, person, () => ({
      decision: 'approve',
    }));
    assert.equal(flow.decided.status, 422);
    assert.match(await flow.decided.text(), /Choose at least one of your accounts/);
    assert.equal((await readConsent(consentId))?.status, 'AWAU');
  });
});
