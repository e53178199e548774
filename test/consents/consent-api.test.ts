import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { OBErrorResponse1, OBReadConsentResponse1 } from '../../src/consents/consent.schemas.js';
import { assertValidAgainstSpec } from '../helpers/ob-spec.js';
import { auditEventsWhere } from '../helpers/audit.js';
import {
  appClient,
  consentsUrl,
  createConsentAs,
  readData,
  registerTestApp,
  startOAuthServer,
  type AppClient,
} from '../helpers/oauth-client.js';

describe('OB API: /account-access-consents', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;
  let c: AppClient;
  let clientId: string;

  before(async () => {
    server = await startOAuthServer();
    const app = await registerTestApp(server.issuer);
    clientId = app.clientId;
    c = await appClient(server.issuer, app);
  });
  after(async () => server?.close());

  async function refused(data: unknown, expected: { code: string; path?: RegExp; message: RegExp }) {
    const before = (await auditEventsWhere({ clientId, action: 'consent.created' })).length;
    const res = await createConsentAs(server.issuer, c, data as Record<string, unknown>);
    assert.equal(res.status, 400);
    assertValidAgainstSpec('OBErrorResponse1', res.body);
    const body = OBErrorResponse1.parse(res.body);
    const error = body.Errors.find((e) => e.ErrorCode === expected.code);
    assert.ok(error, `expected ${expected.code} in ${JSON.stringify(body.Errors)}`);
    assert.match(error.Message, expected.message);
    if (expected.path) assert.match(error.Path ?? '', expected.path);
    assert.equal(
      (await auditEventsWhere({ clientId, action: 'consent.created' })).length,
      before,
      'nothing was created',
    );
  }

  it('creates a consent: 201, OB body, Location, x-fapi-interaction-id echoed', async () => {
    const cc = await client.clientCredentialsGrant(c.config, { scope: 'accounts' }, { DPoP: c.DPoP });
    const res = await client.fetchProtectedResource(
      c.config,
      cc.access_token,
      consentsUrl(server.issuer),
      'POST',
      JSON.stringify({ Data: { Permissions: ['ReadAccountsBasic', 'ReadBalances'] }, Risk: {} }),
      new Headers({
        'content-type': 'application/json',
        'x-fapi-interaction-id': 'b9f8b4b6-3f64-4e1b-9a57-6b41b0e8a5a1',
      }),
      { DPoP: c.DPoP },
    );
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-fapi-interaction-id'), 'b9f8b4b6-3f64-4e1b-9a57-6b41b0e8a5a1');
    const json = await res.json();
    assertValidAgainstSpec('OBReadConsentResponse1', json);
    const body = OBReadConsentResponse1.parse(json);
    assert.equal(res.headers.get('location'), body.Links.Self);
    assert.match(body.Data.CreationDateTime, /\+00:00$/);

    const read = await readData(server.issuer, c, cc.access_token, body.Links.Self, { attended: false });
    assert.equal(read.status, 200);
    assertValidAgainstSpec('OBReadConsentResponse1', read.body);
    assert.equal(OBReadConsentResponse1.parse(read.body).Data.Status, 'AWAU');
  });

  it('checks bodies against the official specification, which rejects a wrong one', () => {
    assert.throws(
      () => assertValidAgainstSpec('OBReadConsentResponse1', { Data: { Status: 'DONE' }, Risk: {} }),
      /must have required property 'ConsentId'[\s\S]*must be equal to one of the allowed values/,
    );
  });

  it('refuses permissions this bank does not serve', () =>
    refused(
      { Permissions: ['ReadAccountsBasic', 'ReadBeneficiariesDetail'] },
      { code: 'U010', path: /Data\.Permissions/, message: /does not serve ReadBeneficiariesDetail/ },
    ));

  it('refuses transaction permissions without a direction', () =>
    refused(
      { Permissions: ['ReadAccountsBasic', 'ReadTransactionsDetail'] },
      { code: 'U002', message: /needs ReadTransactionsCredits/ },
    ));

  it('refuses a set with no ReadAccounts permission', () =>
    refused(
      { Permissions: ['ReadBalances'] },
      { code: 'U002', message: /ReadAccountsBasic or ReadAccountsDetail is required/ },
    ));

  it('refuses an expiry beyond the allowed lifetime, or in the past', async () => {
    const far = new Date(Date.now() + 400 * 86_400_000).toISOString();
    await refused(
      { Permissions: ['ReadAccountsBasic'], ExpirationDateTime: far },
      { code: 'U003', message: /no more than 365 days/ },
    );
    await refused(
      { Permissions: ['ReadAccountsBasic'], ExpirationDateTime: '2020-01-01T00:00:00+00:00' },
      { code: 'U003', message: /in the future/ },
    );
  });

  it('refuses unknown fields, unknown permissions and missing ones, naming the field', async () => {
    await refused({ Permissions: ['ReadAccountsBasic'], Foo: 1 }, { code: 'U004', message: /Foo/ });
    await refused({ Permissions: ['ReadEverything'] }, { code: 'U002', message: /Data\.Permissions\.0/ });
    await refused({}, { code: 'U001', message: /Data\.Permissions: is required/ });
  });

  it('refuses a body that is not JSON with U013', async () => {
    const cc = await client.clientCredentialsGrant(c.config, { scope: 'accounts' }, { DPoP: c.DPoP });
    const res = await client.fetchProtectedResource(
      c.config,
      cc.access_token,
      consentsUrl(server.issuer),
      'POST',
      '{"Data": ',
      new Headers({ 'content-type': 'application/json' }),
      { DPoP: c.DPoP },
    );
    assert.equal(res.status, 400);
    assert.equal(OBErrorResponse1.parse(await res.json()).Errors[0]!.ErrorCode, 'U013');
  });

  it('another app gets 404 for a consent that is not its own', async () => {
    const mine = await createConsentAs(server.issuer, c, { Permissions: ['ReadAccountsBasic'] });
    const other = await appClient(server.issuer, await registerTestApp(server.issuer));
    const cc = await client.clientCredentialsGrant(other.config, { scope: 'accounts' }, { DPoP: other.DPoP });
    const res = await readData(
      server.issuer,
      other,
      cc.access_token,
      `${consentsUrl(server.issuer)}/${mine.body.Data.ConsentId}`,
      { attended: false },
    );
    assert.equal(res.status, 404);
    assertValidAgainstSpec('OBErrorResponse1', res.body);
    assert.equal(OBErrorResponse1.parse(res.body).Errors[0]!.ErrorCode, 'U007');
  });

  it('refuses a bearer token and a missing proof with 401 and a DPoP challenge', async () => {
    const cc = await client.clientCredentialsGrant(c.config, { scope: 'accounts' }, { DPoP: c.DPoP });
    const bearer = await fetch(`${consentsUrl(server.issuer)}/x`, {
      headers: { authorization: `Bearer ${cc.access_token}` },
    });
    assert.equal(bearer.status, 401);
    assert.match(bearer.headers.get('www-authenticate')!, /^DPoP error="invalid_token"/);
    assert.equal(OBErrorResponse1.parse(await bearer.json()).Errors[0]!.ErrorCode, 'U011');
    const noProof = await fetch(`${consentsUrl(server.issuer)}/x`, {
      headers: { authorization: `DPoP ${cc.access_token}` },
    });
    assert.equal(noProof.status, 401);
  });
});
