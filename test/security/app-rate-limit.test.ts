import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { auditEventsWhere } from '../helpers/audit.js';
import {
  appClient,
  createConsentAs,
  pushAuthorisation,
  registerTestApp,
  startOAuthServer,
} from '../helpers/oauth-client.js';

describe('per-app limits on consent creation and pushed authorisation requests', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer({ APP_REQUESTS_PER_MINUTE: '3' });
  });
  after(async () => server?.close());

  it('beyond the limit, consent creation answers 429 with Retry-After and an OB error body, creates nothing, and is audited once', async () => {
    const app = await registerTestApp(server.issuer);
    const other = await registerTestApp(server.issuer);
    const c = await appClient(server.issuer, app);
    const statuses = [];
    // Five at once: the count holds across racing requests.
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        createConsentAs(server.issuer, c, { Permissions: ['ReadAccountsBasic'] }),
      ),
    );
    for (const r of results) statuses.push(r.status);
    assert.deepEqual(statuses.sort(), [201, 201, 201, 429, 429]);
    const refused = results.find((r) => r.status === 429)!;
    assert.equal(refused.body.Errors?.[0]?.ErrorCode, 'U018');
    assert.equal(refused.body.Data, undefined);
    const created = await auditEventsWhere({ clientId: app.clientId, action: 'consent.created' });
    assert.equal(created.length, 3, 'only the allowed requests made consents');
    const limited = await auditEventsWhere({ clientId: app.clientId, action: 'app.rate_limited' });
    assert.equal(limited.length, 1, 'one audit event per app, kind and minute, not one per refusal');
    assert.equal(limited[0]!.details?.kind, 'consent');

    const another = await createConsentAs(server.issuer, await appClient(server.issuer, other), {
      Permissions: ['ReadAccountsBasic'],
    });
    assert.equal(another.status, 201, 'another app has its own allowance');
  });

  it('beyond the limit, a pushed authorisation request answers 429 with Retry-After, and the request it pushed is removed', async () => {
    const app = await registerTestApp(server.issuer);
    const c = await appClient(server.issuer, app);
    const consentId = (await createConsentAs(server.issuer, c, { Permissions: ['ReadAccountsBasic'] })).body
      .Data!.ConsentId as string;
    const pushedRequests = () =>
      mongoose.connection.db!.collection('oidc_pushed_authorization_request').countDocuments();
    const before = await pushedRequests();
    for (let i = 0; i < 3; i++) await pushAuthorisation(app, c, consentId);
    const refused = await pushAuthorisation(app, c, consentId).catch((error: unknown) => error);
    const { status, error, response } = refused as { status?: number; error?: string; response?: Response };
    assert.equal(status, 429);
    assert.equal(error, 'too_many_requests');
    assert.ok(Number(response?.headers.get('retry-after')) >= 1, 'Retry-After says when');
    assert.equal(
      (await pushedRequests()) - before,
      3,
      'the refused request was removed as soon as it was counted',
    );
    const limited = await auditEventsWhere({ clientId: app.clientId, action: 'app.rate_limited' });
    assert.deepEqual(
      limited.map((e) => e.details?.kind),
      ['par'],
    );
  });
});
