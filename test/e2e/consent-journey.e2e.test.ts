import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { createExampleApp } from '../../examples/budget-buddy/example-app.js';
import { readConsent } from '../../src/consents/consent-transitions.js';
import { launchBrowser, screenshot, watchConsoleErrors } from '../helpers/browser.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';
import { registerTestApp, startOAuthServer } from '../helpers/oauth-client.js';

describe('browser: a customer connects the example app, then it disconnects', function () {
  this.timeout(90_000);
  let browser: Browser;
  let bank: Awaited<ReturnType<typeof startOAuthServer>>;
  let example: Server;
  let exampleUrl: string;

  before(async () => {
    browser = await launchBrowser();
    bank = await startOAuthServer();
    example = createServer();
    await new Promise<void>((resolve) => example.listen(0, '127.0.0.1', resolve));
    exampleUrl = `http://127.0.0.1:${(example.address() as AddressInfo).port}`;
    const registered = await registerTestApp(exampleUrl);
    example.on(
      'request',
      await createExampleApp({
        bankUrl: bank.issuer,
        baseUrl: exampleUrl,
        clientId: registered.clientId,
        privateKey: registered.privateKey,
        kid: registered.kid,
        allowHttp: true,
      }),
    );
  });
  after(async () => {
    await browser?.close();
    example?.close();
    await bank?.close();
  });

  it('Alice approves one account; the app shows only that account’s transactions; withdrawing cancels the consent', async () => {
    const { person, accounts } = await createCustomerWithAccounts(5, 'alice');
    const page = await browser.newPage();
    const consoleErrors = watchConsoleErrors(page);

    await page.goto(exampleUrl);
    await page.getByRole('button', { name: 'Connect your bank' }).click();
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: /Budget Buddy wants to see some of your data/ }).waitFor();
    assert.match(await page.locator('.purpose').innerText(), /Shows your spending by category/);
    assert.match(
      await page.locator('.permissions').innerText(),
      /Your transactions \(full detail\)[\s\S]*Money coming in[\s\S]*Money going out/,
    );
    await page.getByLabel(new RegExp(accounts[1]!.nickname)).check();
    await screenshot(page, 'consent-screen');
    await page.getByRole('button', { name: 'Approve' }).click();

    await page.getByText(/Connected: consent aac-/).waitFor();
    const consentId = /consent (aac-[0-9a-f-]+)/.exec(await page.getByRole('status').innerText())![1]!;
    const consent = await readConsent(consentId);
    assert.equal(consent?.status, 'AUTH');
    assert.deepEqual(consent?.accountIds, [accounts[1]!.accountId]);
    // The app shows what it may read: the approved account and its transactions, nothing else.
    const shown = await page.locator('body').innerText();
    assert.match(shown, new RegExp(accounts[1]!.nickname));
    assert.doesNotMatch(shown, new RegExp(`^${accounts[0]!.nickname}`, 'm'));
    assert.ok((await page.locator('tbody tr').count()) > 0, 'transactions are listed');
    await screenshot(page, 'example-app-connected');

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByText('Access withdrawn').waitFor();
    assert.equal((await readConsent(consentId))?.status, 'CANC');
    await screenshot(page, 'example-app-disconnected');
    assert.deepEqual(consoleErrors, []);
  });
});
