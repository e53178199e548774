import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { readConsent } from '../../src/consents/consent.repository.js';
import { openConsentForCustomer } from '../../src/consents/consent-customer.service.js';
import { createConsent } from '../../src/consents/consent.service.js';
import { launchBrowser, watchConsoleErrors } from '../helpers/browser.js';
import { startBankAndExample } from '../helpers/example-app.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';
import { lookAt } from '../helpers/look-at.js';

describe('browser: Alice manages a connected app from her dashboard', function () {
  this.timeout(180_000);
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

  it('approves, sees the app and its reads, stops sharing one account, reads her receipt, revokes; the app’s next read fails; every page passes axe-core and reflows', async () => {
    const { person, accounts } = await createCustomerWithAccounts(30, 'alice');
    const page = await browser.newPage();
    const consoleErrors = watchConsoleErrors(page);
    const bank = running.bank.issuer;
    const label = (i: number) =>
      `${accounts[i]!.nickname} ending ${accounts[i]!.accountNumber?.slice(-4) ?? accounts[i]!.maskedPan!.slice(-4)}`;

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
    assert.match(
      await card.innerText(),
      /Budget Buddy[\s\S]*Active[\s\S]*Can see[\s\S]*Looked in the last 30 days\s*2 times/,
    );
    await lookAt(page, 'dashboard-active');

    await page.getByRole('link', { name: 'Notices' }).click();
    await page.getByText(/You connected Budget Buddy on/).waitFor();
    await lookAt(page, 'notices');
    await page.goto(`${bank}/my/apps`);

    await page.getByRole('link', { name: 'Details and history for Budget Buddy' }).click();
    await page.getByRole('heading', { name: 'Budget Buddy', exact: true }).waitFor();
    assert.equal(await page.locator('#access-history tbody tr').count(), 2);
    await lookAt(page, 'dashboard-app-history');

    await page.getByRole('link', { name: `Stop sharing ${label(0)}` }).click();
    await page.getByRole('heading', { name: `Stop sharing ${label(0)} with Budget Buddy?` }).waitFor();
    await lookAt(page, 'dashboard-stop-sharing-confirm');
    await page.getByRole('button', { name: 'Yes, stop sharing this account' }).click();
    await page.getByText(`${label(0)} is no longer shared with Budget Buddy`).waitFor();
    assert.deepEqual((await readConsent(consentId))?.accountIds, [accounts[1]!.accountId]);
    await lookAt(page, 'dashboard-account-removed');

    await page.getByRole('link', { name: 'Consent receipt' }).click();
    await page.getByRole('heading', { name: 'Consent receipt' }).waitFor();
    const receipt = await page.locator('article.receipt').innerText();
    assert.match(receipt, /Northbank plc[\s\S]*Alice Tester/);
    assert.match(receipt, /Budget Buddy, provided by Budget Buddy Ltd, FCA firm reference 987654/);
    assert.doesNotMatch(receipt, /\d{4}-\d{2}-\d{2}T|ReadTransactions|UTC/);
    await lookAt(page, 'dashboard-receipt');
    await page.goBack();

    await page.getByRole('link', { name: 'Revoke access' }).click();
    await page.getByRole('heading', { name: 'Revoke access for Budget Buddy?' }).waitFor();
    // The example app takes no notices, so the page does not promise that it is told at once.
    await page.getByText(/learns that access has ended the next time it asks for your data/).waitFor();
    await lookAt(page, 'dashboard-revoke-confirm');
    await page.getByRole('button', { name: 'Yes, revoke access' }).click();
    await page
      .getByText(/You revoked access on/)
      .first()
      .waitFor();
    assert.equal((await readConsent(consentId))?.status, 'CANC');
    await lookAt(page, 'dashboard-revoked');

    await page.goto(`${bank}/my/apps?tab=ended`);
    assert.match(await card.innerText(), /Revoked[\s\S]*You revoked access on[\s\S]*Could see/);
    await lookAt(page, 'dashboard-ended');

    // A request she opened in an app and left undecided.
    const pending = await createConsent(
      running.bank.consentDeps,
      (await readConsent(consentId))!.clientId,
      { Permissions: ['ReadAccountsBasic', 'ReadBalances'] },
      {},
    );
    await openConsentForCustomer(running.bank.consentDeps, person.customerId!, pending._id);
    await page.goto(`${bank}/my/apps?tab=pending`);
    assert.match(await card.innerText(), /Waiting for your decision[\s\S]*Wants to see/);
    await lookAt(page, 'dashboard-pending');
    await page.getByRole('link', { name: 'Cancel this request from Budget Buddy' }).click();
    await lookAt(page, 'dashboard-cancel-request-confirm');
    await page.getByRole('button', { name: 'Yes, cancel the request' }).click();
    await page.getByText('You declined the request.').waitFor();
    assert.equal((await readConsent(pending._id))?.status, 'RJCT');

    await page.goto(`${bank}/my/settings`);
    await lookAt(page, 'settings');
    await page.getByLabel('Time zone').selectOption('Australia/Sydney');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Dates and times are now shown in Australia/Sydney time.').waitFor();

    await page.goto(running.exampleUrl);
    await page.getByText(/The bank refused/).waitFor();
    assert.deepEqual(consoleErrors, []);
  });
});
