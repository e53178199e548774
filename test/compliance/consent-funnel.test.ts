import assert from 'node:assert/strict';
import {
  authoriseConsent,
  openConsentForCustomer,
  rejectConsent,
} from '../../src/consents/consent-customer.service.js';
import { createConsent, deleteConsentByApp } from '../../src/consents/consent.service.js';
import { consentFunnel } from '../../src/compliance/consent-funnel.service.js';
import { createTestAuditLog } from '../helpers/app.js';
import { signedInAgent } from '../helpers/agent.js';
import { createCustomerWithAccounts, createPerson } from '../helpers/factories.js';
import { registerTestApp, startOAuthServer } from '../helpers/oauth-client.js';

describe('compliance: the consent funnel per app', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('counts what became of each request, and where customers left', async () => {
    const deps = server.consentDeps;
    const { clientId } = await registerTestApp(server.issuer);
    const { person, accounts } = await createCustomerWithAccounts(2);
    const customerId = person.customerId!;
    const request = () => createConsent(deps, clientId, { Permissions: ['ReadAccountsBasic'] }, {});

    const authorised = await request();
    await authoriseConsent(deps, customerId, authorised._id, { accountIds: [accounts[0]!.accountId] }, {});
    const revokedLater = await request();
    await authoriseConsent(deps, customerId, revokedLater._id, { accountIds: [accounts[0]!.accountId] }, {});
    await deleteConsentByApp(deps, clientId, revokedLater._id, {});
    const declined = await request();
    await rejectConsent(deps, customerId, declined._id, {});
    const leftOnScreen = await request();
    await openConsentForCustomer(deps, customerId, leftOnScreen._id);
    await request(); // never opened: the customer did not reach the consent screen
    const withdrawn = await request();
    await deleteConsentByApp(deps, clientId, withdrawn._id, {});

    const viewer = { user: await createPerson('compliance'), request: {} };
    const now = await consentFunnel(createTestAuditLog(), viewer, 30);
    const row = now.rows.find((r) => r.clientId === clientId)!;
    assert.equal(row.appName, 'Budget Buddy');
    assert.equal(row.requested, 6);
    assert.deepEqual(row.stages, {
      authorised: 2,
      declined: 1,
      leftBeforeScreen: 0,
      leftOnScreen: 0,
      withdrawnByApp: 1,
      waiting: 2,
    });
    assert.equal(row.endedSince, 1, 'one authorised consent was cancelled since');

    // Two hours on, the two requests nobody decided have lapsed: one on the consent screen, one before it.
    const later = await consentFunnel(createTestAuditLog(), viewer, 30, new Date(Date.now() + 2 * 3_600_000));
    const lapsed = later.rows.find((r) => r.clientId === clientId)!;
    assert.deepEqual(
      [lapsed.stages.leftOnScreen, lapsed.stages.leftBeforeScreen, lapsed.stages.waiting],
      [1, 1, 0],
    );
    assert.ok(later.total.requested >= lapsed.requested);
  });

  it('is a page for compliance officers, with the rates', async () => {
    const { agent } = await signedInAgent(server.app, await createPerson('compliance'));
    const page = await agent.get('/compliance/funnel').query({ days: 7 }).expect(200);
    assert.match(page.text, /<table class="data" id="funnel-table">/);
    assert.match(page.text, /Left on the consent screen/);
    await agent.get('/compliance/funnel').query({ days: 'lots' }).expect(400);
  });
});
