import assert from 'node:assert/strict';
import { signedInAgent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';
import { textOf } from '../helpers/page-text.js';
import { connectedApp, readData, startOAuthServer } from '../helpers/oauth-client.js';

describe('compliance: a consent’s page', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('sums the consent up by name above the timeline of its life, oldest first', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic', 'ReadBalances'], {
      chosen: (ids) => [ids[1]!],
    });
    await readData(server.issuer, s.c, s.tokens.access_token, '/balances');
    const { agent } = await signedInAgent(server.app, await createPerson('compliance'));
    const html = (await agent.get(`/compliance/consents/${s.consentId}`).expect(200)).text;
    const page = textOf(html);
    const card = s.accounts[1]!;
    assert.match(page, new RegExp(`App Budget Buddy ${s.app.clientId}`));
    assert.match(
      page,
      new RegExp(`Customer ${s.person.name} \\(${s.person.email}\\) ${s.person.customerId}`),
    );
    assert.match(page, /Status now Active: Authorised by the customer/);
    assert.match(page, /Permissions Account names and types; Balances/);
    assert.match(page, new RegExp(`Accounts ${card.nickname} ending ${card.maskedPan!.slice(-4)}`));
    const timeline = page.slice(page.indexOf('Timeline'));
    assert.ok(
      timeline.indexOf('Consent requested') < timeline.indexOf('Consent authorised') &&
        timeline.indexOf('Consent authorised') < timeline.indexOf('Data read'),
      'its life, oldest first',
    );
    const exportLink = /href="(\/compliance\/export\/review\?[^"]+)">Export this consent’s events…/.exec(
      html,
    );
    assert.ok(exportLink, 'its events can be exported');
    assert.match(textOf((await agent.get(exportLink[1]!).expect(200)).text), /Export 3 events/);
  });

  it('an id the bank holds no consent for says so, and still shows any events', async () => {
    const { agent } = await signedInAgent(server.app, await createPerson('compliance'));
    const page = textOf((await agent.get('/compliance/consents/aac-not-a-consent').expect(200)).text);
    assert.match(page, /The bank holds no consent with this id/);
  });
});
