import assert from 'node:assert/strict';
import type { JWK } from 'jose';
import { readConsent } from '../../src/consents/consent.repository.js';
import { verifyReceipt } from '../../src/dashboard/receipt.service.js';
import { csrfFrom, signedInAgent } from '../helpers/agent.js';
import { createTestAuditLog } from '../helpers/app.js';
import { auditEventsWhere } from '../helpers/audit.js';
import { createPerson } from '../helpers/factories.js';
import { textOf } from '../helpers/page-text.js';
import { connectedApp, readData, startOAuthServer } from '../helpers/oauth-client.js';

describe('customer dashboard: connected apps', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('says "more than 1,000 times" rather than a wrong count when an app read more often than it counts', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    const audit = createTestAuditLog();
    await Promise.all(
      Array.from({ length: 1_001 }, () =>
        audit.record({
          action: 'data.accessed',
          actor: { type: 'app', id: s.app.clientId },
          outcome: 'success',
          customerId: s.person.customerId,
          clientId: s.app.clientId,
          consentId: s.consentId,
          resource: 'GET /accounts',
        }),
      ),
    );
    await audit.close();
    const { agent } = await signedInAgent(server.app, s.person);
    assert.match(
      (await agent.get('/my/apps').expect(200)).text,
      /class="access-count">More than 1,000 times</,
    );
    assert.match(
      (await agent.get(`/my/apps/${s.consentId}`).expect(200)).text,
      /Looked in the last 30 days<\/dt><dd>More than 1,000 times</,
    );
  });

  it('shows each app with what it may see, on which accounts, and how often it looked; its history; and lets the customer remove an account and revoke', async () => {
    const s = await connectedApp(server, [
      'ReadAccountsDetail',
      'ReadBalances',
      'ReadTransactionsDetail',
      'ReadTransactionsDebits',
    ]);
    await readData(server.issuer, s.c, s.tokens.access_token, '/accounts');
    await readData(
      server.issuer,
      s.c,
      s.tokens.access_token,
      `/accounts/${s.accounts[0]!.accountId}/transactions`,
    );

    const { agent } = await signedInAgent(server.app, s.person);
    const list = await agent.get('/my/apps').expect(200);
    assert.equal(list.headers['cache-control'], 'no-store');
    assert.match(list.text, /<a href="\/my\/apps\/aac-[^"]+">Budget Buddy<\/a>/);
    assert.match(
      list.text,
      /Your account names, types and numbers; Your balances; Your transactions \(full detail\); Money going out/,
    );
    assert.match(list.text, /class="access-count">2 times</);
    assert.match(list.text, new RegExp(s.accounts[0]!.nickname));
    assert.match(list.text, /aria-current="page">Active <span class="count">1</);

    const detail = await agent.get(`/my/apps/${s.consentId}`).expect(200);
    assert.match(detail.text, /<td data-label="What">\d+ transactions<\/td>/);
    assert.match(detail.text, /<td data-label="What">Details of 2 accounts<\/td>/);
    const firstAccount = `${s.accounts[0]!.nickname} ending ${s.accounts[0]!.accountNumber!.slice(-4)}`;

    const removePath = `/my/apps/${s.consentId}/accounts/${s.accounts[0]!.accountId}/remove`;
    const removeConfirm = await agent.get(removePath).expect(200);
    assert.match(removeConfirm.text, new RegExp(`Stop sharing ${firstAccount} with Budget Buddy\\?`));
    assert.deepEqual(
      (await readConsent(s.consentId))?.accountIds?.length,
      2,
      'the confirmation page changes nothing',
    );
    const removed = await agent
      .post(removePath)
      .type('form')
      .send({ _csrf: csrfFrom(removeConfirm.text) })
      .expect(303);
    const afterRemoval = await agent.get(removed.headers.location!).expect(200);
    assert.match(
      afterRemoval.text,
      new RegExp(`${firstAccount} is no longer shared with Budget Buddy\\. The other account still is\\.`),
    );
    assert.match(
      textOf((await agent.get(`/my/apps/${s.consentId}`).expect(200)).text),
      /Budget Buddy can see only one of your accounts now\. To stop sharing it, revoke access\./,
      'why the last account has no "Stop sharing" of its own',
    );
    assert.deepEqual((await readConsent(s.consentId))?.accountIds, [s.accounts[1]!.accountId]);
    assert.equal((await readConsent(s.consentId))?.status, 'AUTH');
    const refused = await readData(
      server.issuer,
      s.c,
      s.tokens.access_token,
      `/accounts/${s.accounts[0]!.accountId}`,
    );
    assert.equal(refused.status, 403);
    assert.equal(
      (await readData(server.issuer, s.c, s.tokens.access_token, `/accounts/${s.accounts[1]!.accountId}`))
        .status,
      200,
    );
    const actions = (await auditEventsWhere({ consentId: s.consentId })).map((e) => e.action);
    assert.ok(actions.includes('consent.account_removed'), 'the change is in the consent history');
    const receipt = textOf((await agent.get(`/my/apps/${s.consentId}/receipt`).expect(200)).text);
    assert.match(receipt, new RegExp(`Accounts shared now ${s.accounts[1]!.nickname} ending \\d{4}`));
    assert.match(receipt, new RegExp(`Active\\. ${firstAccount} taken out by the customer`));

    const confirm = await agent.get(`/my/apps/${s.consentId}/revoke`).expect(200);
    assert.match(confirm.text, /Revoke access for Budget Buddy\?/);
    const revoked = await agent
      .post(`/my/apps/${s.consentId}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text) })
      .expect(303);
    const afterRevoke = await agent.get(revoked.headers.location!).expect(200);
    assert.match(afterRevoke.text, /You revoked access on \d+ \w+ \d{4} at \d{2}:\d{2}\. /);
    assert.doesNotMatch(afterRevoke.text, /UTC|Can see/);
    assert.equal((await readData(server.issuer, s.c, s.tokens.access_token, '/accounts')).status, 401);
    const endedTab = await agent.get('/my/apps?tab=ended').expect(200);
    assert.match(endedTab.text, /Budget Buddy/);
    assert.match(endedTab.text, /Could see/);
    assert.doesNotMatch(endedTab.text, /Can see|Revoke access/);
  });

  it('warns of access ending within 30 days, with a way to renew at the app', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic'], {
      consent: { ExpirationDateTime: new Date(Date.now() + 10 * 86_400_000).toISOString() },
    });
    const { agent } = await signedInAgent(server.app, s.person);
    const list = await agent.get('/my/apps').expect(200);
    assert.match(list.text, /class="alert warning expiry-notice"/);
    assert.match(list.text, new RegExp(`<a href="${server.issuer}">Renew in Budget Buddy</a>`));
  });

  it('never shows text an app put in a request path: an account id that is not the customer’s is “an account not shared with this app”', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    const other = await connectedApp(server, ['ReadAccountsBasic']);
    const spoof = 'CALL-0800-555-0199-TO-VERIFY';
    const otherCustomersAccount = other.accounts[0]!.accountId;
    for (const accountId of [spoof, otherCustomersAccount])
      assert.equal(
        (await readData(server.issuer, s.c, s.tokens.access_token, `/accounts/${accountId}`)).status,
        403,
      );

    const { agent } = await signedInAgent(server.app, s.person);
    const detail = await agent.get(`/my/apps/${s.consentId}`).expect(200);
    assert.doesNotMatch(detail.text, /CALL-0800/);
    assert.ok(!detail.text.includes(otherCustomersAccount), 'no other customer’s account id');
    assert.equal(detail.text.match(/An account not shared with this app/g)?.length, 2);
    // The audit log keeps what was asked for, as evidence for the bank.
    const denied = await auditEventsWhere({ consentId: s.consentId, action: 'data.denied' });
    assert.deepEqual(
      denied.map((e) => e.accountIds),
      [[spoof], [otherCustomersAccount]],
    );
  });

  it('never shows one customer another customer’s consents or history', async () => {
    const alice = await connectedApp(server, ['ReadAccountsBasic']);
    const bob = await createPerson('customer', 'bob');
    const { agent } = await signedInAgent(server.app, bob);
    const list = await agent.get('/my/apps').expect(200);
    assert.doesNotMatch(list.text, new RegExp(alice.consentId));
    await agent.get(`/my/apps/${alice.consentId}`).expect(404);
    await agent.get(`/my/apps/${alice.consentId}/revoke`).expect(404);
    const page = await agent.get('/my/apps').expect(200);
    await agent
      .post(`/my/apps/${alice.consentId}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(404);
    assert.equal((await readConsent(alice.consentId))?.status, 'AUTH');
  });
});

describe('consent receipts', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('a printable receipt, and a signed JSON receipt that verifies against the published key and breaks if altered', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic', 'ReadBalances']);
    const { agent } = await signedInAgent(server.app, s.person);
    const page = await agent.get(`/my/apps/${s.consentId}/receipt`).expect(200);
    assert.match(page.text, /Consent receipt/);
    assert.match(page.text, /may not use your data for advertising/);
    assert.match(page.text, /How to revoke access/);

    const res = await agent.get(`/my/apps/${s.consentId}/receipt.json`).expect(200);
    assert.equal(
      res.body.keys,
      `${server.issuer}/.well-known/receipt-keys.json`,
      'the receipt names its key set',
    );
    const jwks = (await (await fetch(res.body.keys)).json()) as { keys: JWK[] };
    const signed = await verifyReceipt(res.body.jws, jwks);
    // The receipt key signs receipts only, and no other key signs them.
    const idTokenKeys = (await (await fetch(`${server.issuer}/oauth/jwks`)).json()) as { keys: JWK[] };
    await assert.rejects(verifyReceipt(res.body.jws, idTokenKeys), /no applicable key found/);
    assert.deepEqual(signed, res.body.receipt);
    assert.equal(signed.consentId, s.consentId);
    assert.equal(signed.app.name, 'Budget Buddy');
    assert.deepEqual(
      signed.statusHistory.map((h) => h.status),
      ['AWAU', 'AUTH'],
    );

    // Change one field of the signed payload: the signature no longer verifies.
    const [header, payload, signature] = (res.body.jws as string).split('.');
    const altered = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    altered.sharingPeriod.to = '2099-01-01T00:00:00+00:00';
    const forged = `${header}.${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${signature}`;
    await assert.rejects(verifyReceipt(forged, jwks), /signature verification failed/);
  });
});
