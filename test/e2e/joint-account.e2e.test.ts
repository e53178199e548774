import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { readSharing } from '../../src/sharing/sharing.repository.js';
import { launchBrowser, watchConsoleErrors } from '../helpers/browser.js';
import { createJointHousehold, type TestPerson } from '../helpers/factories.js';
import { lookAt } from '../helpers/look-at.js';
import {
  appClient,
  createConsentAs,
  exchangeCode,
  pushAuthorisation,
  readData,
  registerTestApp,
  startOAuthServer,
} from '../helpers/oauth-client.js';

const permissions = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
];

describe('browser: Alice shares the joint account; Bob sees it, is told, and stops it', function () {
  this.timeout(180_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startOAuthServer>>;
  let receiver: Server;
  let hookUrl: string;
  const notices: string[] = [];

  before(async () => {
    browser = await launchBrowser();
    server = await startOAuthServer();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        notices.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  async function signIn(person: TestPerson): Promise<{ page: Page; consoleErrors: string[] }> {
    const page = await (await browser.newContext()).newPage();
    const consoleErrors = watchConsoleErrors(page);
    await page.goto(`${server.issuer}/signin`);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your accounts' }).waitFor();
    return { page, consoleErrors };
  }

  /** Delivery rounds until the app has been sent a notice about this consent (other tests' notices share the queue). */
  async function noticesAbout(consentId: string, audience: string) {
    const jwks = (await (await fetch(`${server.issuer}/.well-known/webhook-keys.json`)).json()) as Parameters<
      typeof createLocalJWKSet
    >[0];
    for (let round = 0; round < 80; round++) {
      const about = [];
      for (const body of notices) {
        const { payload } = await jwtVerify(body, createLocalJWKSet(jwks), {
          issuer: server.issuer,
          typ: 'consent-event+jwt',
        });
        if (payload.ConsentId === consentId) about.push(payload);
      }
      if (about.length > 0) {
        for (const payload of about) assert.equal(payload.aud, audience);
        return about;
      }
      await server.webhooks.deliverDue();
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.fail('no notice reached the app');
  }

  it('the consent screen says who else holds it; Bob sees the connection and a notice, stops it; the app is refused that account only, and told', async () => {
    const h = await createJointHousehold(20);
    const app = await registerTestApp(server.issuer, { webhookUrl: hookUrl });
    const c = await appClient(server.issuer, app);
    const consentId = (await createConsentAs(server.issuer, c, { Permissions: permissions })).body.Data
      .ConsentId as string;
    const flow = await pushAuthorisation(app, c, consentId);

    // Alice, at the bank's consent screen. The app's own page is not part of this journey:
    // the browser stops at its redirect address and the test, as the app, takes the code.
    const alicePage = await (await browser.newContext()).newPage();
    const aliceErrors = watchConsoleErrors(alicePage);
    await alicePage.route(`${app.redirectUri}?**`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Budget Buddy</title>' }),
    );
    await alicePage.goto(flow.authorizationUrl.href);
    await alicePage.getByLabel('Email').fill(h.alice.email);
    await alicePage.getByLabel('Password').fill(h.alice.password);
    await alicePage.getByRole('button', { name: 'Sign in' }).click();
    await alicePage.getByRole('heading', { name: /Budget Buddy wants to see some of your data/ }).waitFor();
    await alicePage
      .getByText(/Joint account with Bob Tester\. Bob Tester will be told, will see this connection/)
      .waitFor();
    await lookAt(alicePage, 'consent-screen-joint-account');
    await alicePage.getByLabel(/^Joint account/).check();
    await alicePage.getByLabel(/^Main account/).check();
    await alicePage.getByRole('button', { name: 'Approve' }).click();
    await alicePage.waitForURL((url) => url.href.startsWith(app.redirectUri));
    const tokens = await exchangeCode(c, { ...flow, callback: alicePage.url() });
    const read = (accountId: string) =>
      readData(server.issuer, c, tokens.access_token, `/accounts/${accountId}/transactions`);
    assert.equal((await read(h.joint)).status, 200, 'under "either of us", shared at once');

    await alicePage.goto(`${server.issuer}/my/apps/${consentId}`);
    await alicePage.getByText('Shared. Bob Tester can see this connection and stop it.').waitFor();
    await lookAt(alicePage, 'joint-connection-shared');

    // Bob signs in: a notice, and the connection on his connected-apps page.
    const bob = await signIn(h.bob);
    await bob.page.getByText('Joint account with Alice Tester.').waitFor();
    await bob.page.getByText('Alice Tester’s card, on which you have a card of your own.').waitFor();
    await lookAt(bob.page, 'accounts-held-with-others');
    await bob.page.getByRole('link', { name: 'Notices' }).click();
    await bob.page.getByText(/Alice Tester shared Joint account ending \d{4} with Budget Buddy on/).waitFor();
    await lookAt(bob.page, 'notices-joint-shared');
    await bob.page.getByRole('link', { name: 'See your connected apps' }).first().click();
    await bob.page
      .getByRole('heading', { name: 'Apps connected to accounts you share with others' })
      .waitFor();
    await bob.page.getByText(/Joint account ending \d{4}, shared by Alice Tester on/).waitFor();
    await lookAt(bob.page, 'apps-shared-by-others');

    await bob.page
      .getByRole('link', { name: /^Stop sharing Joint account ending \d{4} with Budget Buddy$/ })
      .click();
    await bob.page
      .getByRole('heading', { name: /^Stop sharing Joint account ending \d{4} with Budget Buddy\?$/ })
      .waitFor();
    await bob.page
      .getByText(
        'We tell Budget Buddy straight away, and ask it to delete the data it has already received from this account.',
      )
      .waitFor();
    await lookAt(bob.page, 'joint-stop-confirm');
    await bob.page.getByRole('button', { name: 'Yes, stop sharing it' }).click();
    await bob.page
      .getByText(/Budget Buddy can no longer see Joint account ending \d{4}\. We have told Alice Tester\./)
      .waitFor();
    await lookAt(bob.page, 'joint-stopped');
    await bob.page.getByRole('link', { name: /^Ended/ }).click();
    await bob.page.getByText(/You stopped sharing it on .*\. Budget Buddy cannot see it\./).waitFor();
    await lookAt(bob.page, 'joint-stopped-ended-tab');

    // The app: that account refused, Alice's own still read, and a signed notice saying why.
    const refused = await read(h.joint);
    assert.deepEqual([refused.status, refused.body.Errors?.[0]?.ErrorCode], [403, 'U019']);
    assert.equal((await read(h.aliceOwn)).status, 200, "Alice's own account still works");
    const told = await noticesAbout(consentId, app.clientId);
    assert.deepEqual(
      told.map((notice) => [notice.event, notice.AccountId, notice.Reason]),
      [['consent.account-withdrawn', h.joint, 'sharing_stopped_by_holder']],
      'one notice, for that account only',
    );

    // Alice is told, on her notices and on the connection's page.
    await alicePage.goto(`${server.issuer}/my/notices`);
    await alicePage
      .getByText(/Bob Tester stopped sharing Joint account ending \d{4} with Budget Buddy on/)
      .waitFor();
    await lookAt(alicePage, 'notices-joint-stopped');
    await alicePage.getByRole('link', { name: 'See this connection' }).first().click();
    await alicePage.getByText('Bob Tester stopped sharing it, so the app can no longer see it.').waitFor();
    await alicePage.getByRole('heading', { name: 'Accounts Budget Buddy cannot see' }).waitFor();
    await lookAt(alicePage, 'joint-connection-stopped');

    // Bob makes sharing stricter ("we must both approve"), through its confirmation.
    await bob.page.goto(`${server.issuer}/my/settings`);
    await bob.page.getByRole('link', { name: /Decide with the other holders how apps may see/ }).click();
    await bob.page.getByRole('heading', { name: 'Joint accounts and cards', level: 1 }).waitFor();
    await lookAt(bob.page, 'sharing-settings');
    await bob.page.getByRole('link', { name: /^Change how apps may see it/ }).click();
    await lookAt(bob.page, 'sharing-option');
    await bob.page.getByLabel('We must both approve').check();
    await bob.page.getByRole('button', { name: 'Continue' }).click();
    await bob.page.getByText('This applies as soon as you confirm.', { exact: false }).waitFor();
    await lookAt(bob.page, 'sharing-option-confirm');
    await bob.page.getByRole('button', { name: 'Yes, change it now' }).click();
    await bob.page.getByRole('heading', { name: 'Joint accounts and cards', level: 1 }).waitFor();
    await lookAt(bob.page, 'sharing-option-changed');
    assert.equal((await readSharing(h.joint, new Date())).state.option, 'both');

    // Less strict needs Alice: Bob asks, Alice sees the request and declines it.
    await bob.page.getByRole('link', { name: /^Change how apps may see it/ }).click();
    await bob.page.getByLabel('Either of us may share it').check();
    await bob.page.getByRole('button', { name: 'Continue' }).click();
    await bob.page.getByText(/so Alice Tester must agree before it applies/).waitFor();
    await bob.page.getByRole('button', { name: 'Yes, ask Alice Tester' }).click();
    await bob.page.getByText(/Nothing changes unless every holder agrees by \d+ \w+ \d{4}\./).waitFor();
    await lookAt(bob.page, 'sharing-proposal-asked');
    await alicePage.goto(`${server.issuer}/my/sharing`);
    await alicePage.getByText(/Bob Tester asked on .* It changes only if you agree by/).waitFor();
    await lookAt(alicePage, 'sharing-proposal-to-agree');
    // Agreeing would apply it at once (she is the last to agree), and the page says so; she steps back.
    await alicePage.getByRole('button', { name: /^Agree to the change/ }).click();
    await alicePage
      .getByText(/you are the last holder to agree: it applies as soon as you confirm\./)
      .waitFor();
    await lookAt(alicePage, 'sharing-proposal-agree-confirm');
    await alicePage.getByRole('link', { name: 'No, leave it as it is' }).click();
    await alicePage.getByRole('button', { name: /^Decline/ }).click();
    await alicePage.getByText('You declined the change. The account is shared as before.').waitFor();
    assert.deepEqual(
      [
        (await readSharing(h.joint, new Date())).state.option,
        (await readSharing(h.joint, new Date())).state.proposal,
      ],
      ['both', undefined],
    );

    // Alice, the card's main cardholder, lets Bob share it, through its confirmation.
    await alicePage.goto(`${server.issuer}/my/sharing/${h.card}`);
    await alicePage.getByRole('heading', { name: /^Who may share/ }).waitFor();
    await lookAt(alicePage, 'sharing-cardholder');
    await alicePage.getByLabel(/^Yes: you see each connection/).check();
    await alicePage.getByRole('button', { name: /^Continue/ }).click();
    await alicePage.getByRole('heading', { name: /^Let Bob Tester share/ }).waitFor();
    await lookAt(alicePage, 'sharing-cardholder-confirm');
    await alicePage.getByRole('button', { name: 'Yes, allow it' }).click();
    await alicePage.getByText(/Bob Tester may now share/).waitFor();
    assert.deepEqual((await readSharing(h.card, new Date())).state.allowedCardholders, [h.bob.customerId]);

    await server.webhooks.deliverDue();
    assert.equal(
      (await noticesAbout(consentId, app.clientId)).length,
      1,
      'the later decisions told the app nothing',
    );
    assert.deepEqual([...aliceErrors, ...bob.consoleErrors], []);
  });
});
