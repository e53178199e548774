import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { readConsent } from '../../src/consents/consent.repository.js';
import { launchBrowser, screenshot, watchConsoleErrors } from '../helpers/browser.js';
import { startBankAndExample } from '../helpers/example-app.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';

describe('browser: Alice manages a connected app from her dashboard', function () {
  this.timeout(120_000);
  let browser: Browser;
  let running: Awaited<ReturnType<typeof startBankAndExample>>;

  before(async () => {
    browser = await launchBrowser();
    running = await startBankAndExample();
  });
  after(async () => {
    await browser?.close();
    await running?.close();
  });

  it('approves, sees the app and its reads, removes one account, reads her receipt, revokes; the app’s next read fails', async () => {
    const { person, accounts } = await createCustomerWithAccounts(30, 'alice');
    const page = await browser.newPage();
    const consoleErrors = watchConsoleErrors(page);
    const bank = running.bank.issuer;

    await page.goto(running.exampleUrl);
    await page.getByRole('button', { name: 'Connect your bank' }).click();
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    for (const account of accounts) await page.getByLabel(new RegExp(account.nickname)).check();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/Connected: consent aac-/).waitFor();
    const consentId = /consent (aac-[0-9a-f-]+)/.exec(await page.getByRole('status').innerText())![1]!;

    await page.goto(`${bank}/my/apps`);
    await page.getByRole('heading', { name: 'Connected apps' }).waitFor();
    const card = page.locator('article.app-card');
    assert.match(await card.innerText(), /Budget Buddy[\s\S]*Looked in the last 30 days\s*2 times/);
    await screenshot(page, 'dashboard-connected-apps');

    await page.getByRole('link', { name: 'Details and history' }).click();
    await page.getByRole('heading', { name: 'Budget Buddy', exact: true }).waitFor();
    assert.equal(await page.locator('#access-history tbody tr').count(), 2);
    await screenshot(page, 'dashboard-app-history');

    await page.getByRole('button', { name: new RegExp(`Stop sharing ${accounts[0]!.nickname}`) }).click();
    await page.getByText('That account is no longer shared with the app').waitFor();
    assert.deepEqual((await readConsent(consentId))?.accountIds, [accounts[1]!.accountId]);
    await screenshot(page, 'dashboard-account-removed');

    await page.getByRole('link', { name: 'Consent receipt' }).click();
    await page.getByRole('heading', { name: 'Consent receipt' }).waitFor();
    await screenshot(page, 'dashboard-receipt');
    await page.goBack();

    await page.getByRole('link', { name: 'Revoke access' }).click();
    await page.getByRole('heading', { name: 'Revoke access for Budget Buddy?' }).waitFor();
    await screenshot(page, 'dashboard-revoke-confirm');
    await page.getByRole('button', { name: 'Yes, revoke access' }).click();
    await page.getByText(/Access revoked at/).waitFor();
    assert.equal((await readConsent(consentId))?.status, 'CANC');
    await screenshot(page, 'dashboard-revoked');

    await page.goto(running.exampleUrl);
    await page.getByText(/The bank refused/).waitFor();
    await screenshot(page, 'example-app-refused');

    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${bank}/my/apps?tab=revoked`);
    await screenshot(page, 'dashboard-phone');
    assert.deepEqual(consoleErrors, []);
  });
});
