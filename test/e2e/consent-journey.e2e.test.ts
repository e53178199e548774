import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { readConsent } from '../../src/consents/consent.repository.js';
import { launchBrowser, screenshot, watchConsoleErrors } from '../helpers/browser.js';
import { lookAt } from '../helpers/look-at.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';
import { startBankAndExample } from '../helpers/example-app.js';

describe('browser: a customer connects the example app, then it disconnects', function () {
  this.timeout(90_000);
  let browser: Browser;
  let running: Awaited<ReturnType<typeof startBankAndExample>>;
  let exampleUrl: string;

  before(async () => {
    browser = await launchBrowser();
    running = await startBankAndExample();
    exampleUrl = running.exampleUrl;
  });
  after(async () => {
    await browser?.close();
    await running?.close();
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
    await page
      .getByText('Budget Buddy is provided by Budget Buddy Ltd, FCA firm reference 987654.')
      .waitFor();
    await page.getByText(/^\d+ \w+ \d{4}, when your oldest account opened$/).waitFor();
    await page.getByText('Whether you approve or deny, we then take you back to Budget Buddy.').waitFor();
    assert.match(
      await page.locator('.clusters').innerText(),
      /Your transactions \(full detail\)[\s\S]*Money coming in[\s\S]*Money going out/,
    );
    await lookAt(page, 'consent-screen');
    await page
      .getByRole('link', { name: 'See exactly what Budget Buddy would get from your accounts' })
      .click();
    await page.getByRole('heading', { name: 'What Budget Buddy would get' }).waitFor();
    await page.getByText('The exact data Budget Buddy would receive').first().click();
    await lookAt(page, 'consent-preview');
    await page.getByRole('link', { name: 'Back to the request', exact: true }).click();
    await page.getByRole('heading', { name: /Budget Buddy wants to see some of your data/ }).waitFor();
    // Approving with no account chosen: the error summary leads to the first account's box.
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    const problem = page.getByRole('link', { name: /Choose at least one of your accounts/ });
    assert.equal(await problem.getAttribute('href'), `#account-${accounts[0]!.accountId}`);
    await lookAt(page, 'consent-screen-error');
    await problem.click();
    assert.equal(await page.evaluate('document.activeElement.id'), `account-${accounts[0]!.accountId}`);
    await page.getByLabel(new RegExp(accounts[1]!.nickname)).check();
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
