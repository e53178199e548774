import assert from 'node:assert/strict';
import { findAccounts, findBalances } from '../../src/accounts/account.repository.js';
import { accountBody, balanceBodies, grantsOf } from '../../src/data-api/data-shaping.js';
import { auditEventsWhere } from '../helpers/audit.js';
import { appClient, connectedApp, registerTestApp, startOAuthServer } from '../helpers/oauth-client.js';
import { openConsentScreen } from '../security/world.js';

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The exact data shown for each account, as the page's <pre> blocks hold it. */
const exactData = (html: string) =>
  [...html.matchAll(/<pre class="exact-data">([\s\S]*?)<\/pre>/g)].map(
    (m) =>
      JSON.parse(unescapeHtml(m[1]!)) as { account: unknown; balances: unknown[]; transactions: unknown[] },
  );

describe('consent screen: “see exactly what the app will get”', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  const screenFor = async (permissions: string[]) => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    const app = await registerTestApp(server.issuer);
    const c = await appClient(server.issuer, app);
    const screen = await openConsentScreen(server.issuer, app, c, s.person, permissions);
    return { ...screen, person: s.person, accounts: s.accounts };
  };

  it('shows her data shaped by the data API’s own code, masks card numbers without ReadPAN, and records that she looked', async () => {
    const permissions = [
      'ReadAccountsDetail',
      'ReadBalances',
      'ReadTransactionsDetail',
      'ReadTransactionsDebits',
    ];
    const screen = await screenFor(permissions);
    assert.match(screen.html, /See exactly what Budget Buddy would get from your accounts/);
    const res = await screen.browser.fetch(`${screen.url}/preview`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Nothing on this page is sent to Budget Buddy/);

    const shown = exactData(html);
    const ids = screen.accounts.map((a) => a.accountId);
    const grants = grantsOf(permissions);
    const accounts = await findAccounts(ids);
    const balances = await findBalances(ids);
    assert.deepEqual(
      shown.map((p) => p.account),
      accounts.map((a) => accountBody(a, grants, screen.person.customerId!)),
      'the account bodies the data API would send',
    );
    assert.deepEqual(
      shown.map((p) => p.balances),
      accounts.map((a) => balances.filter((b) => b._id === a._id).flatMap(balanceBodies)),
    );
    for (const p of shown) {
      assert.ok(p.transactions.length > 0 && p.transactions.length <= 3, 'up to three latest transactions');
      for (const t of p.transactions as { CreditDebitIndicator: string }[])
        assert.equal(t.CreditDebitIndicator, 'Debit', 'only the directions granted (debits here)');
    }
    const card = screen.accounts.find((a) => a.kind === 'credit_card')!;
    assert.ok(!html.includes(card.pan!), 'the full card number is not shown without ReadPAN');
    assert.ok(html.includes(card.maskedPan!), 'the masked number is');

    const events = await auditEventsWhere({ consentId: screen.consentId });
    const previewed = events.filter((e) => e.action === 'consent.previewed');
    assert.equal(previewed.length, 1, 'showing the preview is audited');
    assert.deepEqual([...previewed[0]!.accountIds!].sort(), [...ids].sort());
    assert.ok(!events.some((e) => e.action === 'data.accessed'), 'nothing was served to the app');
  });

  it('with ReadPAN, the preview shows the full card number, as the app would get it', async () => {
    const screen = await screenFor(['ReadAccountsDetail', 'ReadPAN']);
    const html = await (await screen.browser.fetch(`${screen.url}/preview`)).text();
    const card = screen.accounts.find((a) => a.kind === 'credit_card')!;
    assert.ok(html.includes(card.pan!), 'the full card number');
    assert.doesNotMatch(html, /Latest transactions/, 'no transactions without a transactions permission');
  });

  it('without her session it shows nothing, and records nothing', async () => {
    const screen = await screenFor(['ReadAccountsBasic']);
    const anonymous = await fetch(`${screen.url}/preview`, { redirect: 'manual' });
    assert.notEqual(anonymous.status, 200);
    assert.equal(
      (await auditEventsWhere({ consentId: screen.consentId })).filter(
        (e) => e.action === 'consent.previewed',
      ).length,
      0,
    );
  });
});
