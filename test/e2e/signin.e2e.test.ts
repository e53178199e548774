import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { buildTestApp } from '../helpers/app.js';
import { launchBrowser, listen, watchConsoleErrors } from '../helpers/browser.js';
import { lookAt } from '../helpers/look-at.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';

describe('browser: a customer signs in and sees their accounts', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: Server;
  let baseUrl: string;

  before(async () => {
    browser = await launchBrowser();
    ({ server, baseUrl } = await listen(buildTestApp({ TRUST_PROXY: 'false' })));
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('signs in by label and button name, then lists accounts with balances', async () => {
    const { person, accounts } = await createCustomerWithAccounts(25, 'alice');
    const page = await browser.newPage();
    const consoleErrors = watchConsoleErrors(page);

    await page.goto(`${baseUrl}/my/accounts`);
    assert.match(page.url(), /\/signin\?next=/, 'anonymous visitors are sent to sign in');
    await lookAt(page, 'signin');

    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByRole('alert').innerText(), 'Email or password is incorrect.');
    await lookAt(page, 'signin-wrong-password');

    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your accounts' }).waitFor();
    assert.match(page.url(), /\/my\/accounts$/);
    for (const account of accounts) {
      await page.getByRole('heading', { name: account.nickname }).waitFor();
    }
    assert.ok((await page.content()).includes(accounts[1]!.maskedPan));
    await lookAt(page, 'accounts');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(consoleErrors, [], 'no console errors, so no CSP violations');
  });
});
