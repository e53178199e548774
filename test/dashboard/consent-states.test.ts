import assert from 'node:assert/strict';
import { setAppStatus } from '../../src/apps/app.service.js';
import { readConsent } from '../../src/consents/consent.repository.js';
import { authoriseConsent, openConsentForCustomer } from '../../src/consents/consent-customer.service.js';
import { createConsent, deleteConsentByApp } from '../../src/consents/consent.service.js';
import { createTestAuditLog } from '../helpers/app.js';
import { csrfFrom, signedInAgent } from '../helpers/agent.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';
import { connectedApp, registerTestApp, startOAuthServer } from '../helpers/oauth-client.js';
import { textOf } from '../helpers/page-text.js';

describe('customer dashboard: every state of a connection says what is true of it', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('a request she opened but did not decide waits on its own tab, opens, and can be cancelled; it then reads as declined', async () => {
    const { person } = await createCustomerWithAccounts(2);
    const app = await registerTestApp(server.issuer);
    const pending = await createConsent(
      server.consentDeps,
      app.clientId,
      { Permissions: ['ReadAccountsBasic', 'ReadBalances'] },
      {},
    );
    await openConsentForCustomer(server.consentDeps, person.customerId!, pending._id);
    const { agent } = await signedInAgent(server.app, person);

    const tab = textOf((await agent.get('/my/apps?tab=pending').expect(200)).text);
    assert.match(tab, /Budget Buddy ◔ Waiting for your decision/);
    assert.match(tab, /Wants to see Your account names and types; Your balances/);
    assert.doesNotMatch(tab, /Can see|Accounts shared|Revoke access/);

    const detail = await agent.get(`/my/apps/${pending._id}`).expect(200);
    assert.match(textOf(detail.text), /It can see nothing until you approve/);
    const confirm = await agent.get(`/my/apps/${pending._id}/cancel`).expect(200);
    assert.match(textOf(confirm.text), /Cancel the request from Budget Buddy\?/);
    assert.equal((await readConsent(pending._id))?.status, 'AWAU', 'the confirmation page changes nothing');
    await agent
      .post(`/my/apps/${pending._id}/cancel`)
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text) })
      .expect(303);
    assert.equal((await readConsent(pending._id))?.status, 'RJCT');

    const ended = textOf((await agent.get('/my/apps?tab=ended').expect(200)).text);
    assert.match(
      ended,
      /○ Declined .* You declined this request on \d+ \w+ \d{4} at \d{2}:\d{2}\. Budget Buddy never saw your data\./,
    );
    assert.match(ended, /Asked to see/);
    assert.doesNotMatch(ended, /Can see|Could see|Expires|Cancel this request/);
    const again = await agent
      .post(`/my/apps/${pending._id}/cancel`)
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text) });
    assert.equal(again.status, 409, 'a request already decided cannot be cancelled');
  });

  it('a connection the app cancelled says so, with when, and no longer offers to revoke', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    await deleteConsentByApp(server.consentDeps, s.app.clientId, s.consentId, {});
    const { agent } = await signedInAgent(server.app, s.person);
    const ended = textOf((await agent.get('/my/apps?tab=ended').expect(200)).text);
    assert.match(
      ended,
      /○ Cancelled by the app .* Budget Buddy cancelled this connection on \d+ \w+ \d{4} at \d{2}:\d{2}\./,
    );
    assert.match(ended, /Could see Your account names and types/);
    assert.doesNotMatch(ended, /Revoke access|Renew/);
    assert.match(
      textOf((await agent.get('/my/apps').expect(200)).text),
      /No app can see your data right now\./,
    );
  });

  it('the revoke page promises a deletion request only to apps that take notices', async () => {
    const { person, accounts } = await createCustomerWithAccounts(2);
    const { agent } = await signedInAgent(server.app, person);
    for (const [extra, promise] of [
      [
        { webhookUrl: 'https://budgetbuddy.example/hooks' },
        /We tell Budget Buddy straight away, and ask it to delete the data/,
      ],
      [{}, /Budget Buddy learns that access has ended the next time it asks for your data/],
    ] as const) {
      const app = await registerTestApp(server.issuer, extra);
      const consent = await createConsent(
        server.consentDeps,
        app.clientId,
        { Permissions: ['ReadAccountsBasic'] },
        {},
      );
      await authoriseConsent(
        server.consentDeps,
        person.customerId!,
        consent._id,
        { accountIds: [accounts[0]!.accountId] },
        {},
      );
      assert.match(textOf((await agent.get(`/my/apps/${consent._id}/revoke`).expect(200)).text), promise);
    }
  });

  it('an app the bank suspended shows as suspended, with what that means, and no renewal', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic'], {
      consent: { ExpirationDateTime: new Date(Date.now() + 10 * 86_400_000).toISOString() },
    });
    await setAppStatus(createTestAuditLog(), { id: 'test-operator' }, s.app.clientId, 'suspended');
    const { agent } = await signedInAgent(server.app, s.person);
    const list = textOf((await agent.get('/my/apps').expect(200)).text);
    assert.match(
      list,
      /Suspended by the bank .* We have suspended Budget Buddy, so it cannot see any of your data for now\./,
    );
    assert.doesNotMatch(list, /Renew|Can see/);
    assert.match(list, /Revoke access/, 'she can still end the connection');
  });

  it('shows dates and times in the time zone she chooses, and refuses one that does not exist, changing nothing', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    const { agent } = await signedInAgent(server.app, s.person);
    const authorisedAt = (await readConsent(s.consentId))!.authorisedAt!;
    const inZone = (timeZone: string) =>
      new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone }).format(
        authorisedAt,
      );

    const london = textOf((await agent.get(`/my/apps/${s.consentId}`).expect(200)).text);
    assert.match(london, new RegExp(`Approved ${inZone('Europe/London')}`), 'UK time until she chooses');

    const settings = await agent.get('/my/settings').expect(200);
    const bad = await agent
      .post('/my/settings')
      .type('form')
      .send({ _csrf: csrfFrom(settings.text), timeZone: 'Mars/Olympus_Mons' })
      .expect(422);
    assert.match(textOf(bad.text), /There is a problem Choose a time zone from the list/);
    assert.match(bad.text, /<a href="#timeZone" data-field="timeZone">/);
    assert.match(
      textOf((await agent.get(`/my/apps/${s.consentId}`).expect(200)).text),
      new RegExp(inZone('Europe/London')),
    );

    await agent
      .post('/my/settings')
      .type('form')
      .send({ _csrf: csrfFrom(settings.text), timeZone: 'Australia/Sydney' })
      .expect(303);
    const sydney = textOf((await agent.get(`/my/apps/${s.consentId}`).expect(200)).text);
    assert.match(sydney, new RegExp(`Approved ${inZone('Australia/Sydney')}`));
    assert.doesNotMatch(sydney, /UTC/);
  });
});
