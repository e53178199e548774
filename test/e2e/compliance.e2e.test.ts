import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestAuditLog, testIndexer } from '../helpers/app.js';
import { launchBrowser, watchConsoleErrors } from '../helpers/browser.js';
import { lookAt } from '../helpers/look-at.js';
import { createPerson } from '../helpers/factories.js';
import { connectedApp, readData, startOAuthServer } from '../helpers/oauth-client.js';

describe('browser: a compliance officer reviews the audit log', function () {
  this.timeout(90_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startOAuthServer>>;
  let baseUrl: string;

  before(async () => {
    browser = await launchBrowser();
    server = await startOAuthServer();
    baseUrl = server.issuer;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('finds one customer’s refused reads last week, exports them with a cover, opens the consent behind one, reads the charts, funnel and performance, and verifies the log', async () => {
    // A customer connected an app, which read her balances and then asked for transactions it may not see.
    const connected = await connectedApp(server, ['ReadAccountsBasic', 'ReadBalances']);
    const customer = connected.person;
    await readData(server.issuer, connected.c, connected.tokens.access_token, '/balances');
    const refused = await readData(
      server.issuer,
      connected.c,
      connected.tokens.access_token,
      '/transactions',
    );
    assert.equal(refused.status, 403);
    const officer = await createPerson('compliance');
    const audit = createTestAuditLog();
    for (const reason of ['permission_missing', 'permission_missing', 'account_not_in_consent']) {
      await audit.record({
        action: 'data.denied',
        actor: { type: 'app', id: 'app-e2e' },
        clientId: 'app-e2e',
        outcome: 'failure',
        reason,
      });
    }
    await audit.record({
      action: 'data.accessed',
      actor: { type: 'app', id: 'app-e2e' },
      clientId: 'app-e2e',
      outcome: 'success',
      recordCount: 20,
    });
    await testIndexer.catchUp();

    const page = await browser.newPage();
    const consoleErrors = watchConsoleErrors(page);
    await page.goto(`${baseUrl}/signin`);
    await page.getByLabel('Email').fill(officer.email);
    await page.getByLabel('Password').fill(officer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();

    // Found by the e-mail address she signs in with, over the last 7 days.
    await page.getByLabel('Customer (e-mail or customer ID)').fill(customer.email);
    await page.getByLabel('Action').selectOption({ label: 'Data read refused' });
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Last 7 days' }).click();
    const rows = page.locator('table.data tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    assert.match(
      await rows.first().innerText(),
      new RegExp(
        `Data read refused[\\s\\S]*Permission missing[\\s\\S]*${customer.name}[\\s\\S]*${customer.email}[\\s\\S]*Budget Buddy`,
      ),
    );
    await lookAt(page, 'compliance-search', { widths: [1280], reflow: false });

    await page.getByRole('link', { name: 'Export these events…' }).click();
    await page.getByRole('heading', { name: 'Export 1 event' }).waitFor();
    assert.match(await page.locator('.filter-words').innerText(), /Action: Data read refused[\s\S]*From /);
    await lookAt(page, 'compliance-export-review');
    const searchUrl = page.url().replace(/\/export\/review\?/, '?');
    // Prepared in the background; the page shows progress and is checked when the officer chooses.
    await page
      .getByRole('button', { name: 'Prepare the signed evidence pack, with a printable cover' })
      .click();
    await page.getByRole('heading', { name: 'Signed evidence pack export' }).waitFor();
    for (let i = 0; i < 60 && !(await page.getByText('Ready.').isVisible()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await page.getByRole('link', { name: 'Check progress' }).click();
    }
    assert.match(await page.getByRole('status').innerText(), /Ready\. 1 event, [\d.]+ kB\./);
    await lookAt(page, 'compliance-export-ready');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download' }).click();
    assert.match((await download).suggestedFilename(), /^audit-evidence-.*\.jsonl$/);
    assert.equal(await (await download).failure(), null, 'the whole file arrived');
    await page.getByRole('link', { name: 'Printable cover for a regulator' }).click();
    await page.locator('.verdict').getByText('Intact.').waitFor();
    await lookAt(page, 'compliance-evidence-cover');

    // The refused read, then the consent it was made under: who, which app, what, and its life.
    await page.goto(searchUrl);
    await rows.first().getByRole('link').first().click();
    await page.getByRole('heading', { name: /Audit event \d+/ }).waitFor();
    await lookAt(page, 'compliance-event', { widths: [1280], reflow: false });
    await page.getByRole('link', { name: connected.consentId }).click();
    await page
      .getByRole('heading', { name: /Consent/ })
      .first()
      .waitFor();
    assert.match(
      await page.locator('main').innerText(),
      new RegExp(
        `Budget Buddy[\\s\\S]*${customer.name}[\\s\\S]*Active[\\s\\S]*Balances[\\s\\S]*Data read refused`,
      ),
    );
    await lookAt(page, 'compliance-consent', { widths: [1280, 390] });

    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: /Activity/ }).waitFor();
    // The chart library drew into the canvas (it sets a pixel size on it).
    await page.waitForFunction(
      "window.Chart !== undefined && document.querySelector('#daily-chart').width > 0",
    );
    assert.match(await page.locator('#apps-table').innerText(), /app-e2e[\s\S]*Permission missing: 2/);
    await lookAt(page, 'compliance-activity', { widths: [1280], reflow: false });

    await page.getByRole('link', { name: 'Consent funnel' }).click();
    await page.getByRole('heading', { name: /Consent funnel/ }).waitFor();
    await lookAt(page, 'compliance-funnel', { widths: [1280], reflow: false });

    await page.getByRole('link', { name: 'Performance' }).click();
    await page.getByRole('heading', { name: 'Developer interface performance' }).waitFor();
    await lookAt(page, 'compliance-performance', { widths: [1280], reflow: false });

    await page.getByRole('link', { name: 'Integrity' }).click();
    await page.getByRole('button', { name: 'Verify now' }).click();
    // The running page does not reload itself: the officer checks progress when they choose.
    for (let i = 0; i < 60 && !(await page.locator('.verdict').isVisible()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (await page.getByRole('link', { name: 'Check progress' }).isVisible())
        await page.getByRole('link', { name: 'Check progress' }).click();
    }
    assert.match(await page.locator('.verdict').innerText(), /Intact\./);
    await lookAt(page, 'compliance-verification', { widths: [1280], reflow: false });
    await page.getByRole('link', { name: '← Integrity' }).click();
    assert.match(
      await page.locator('.last-verification').innerText(),
      /Last verification, started .* intact/,
    );
    await lookAt(page, 'compliance-integrity', { widths: [1280], reflow: false });

    assert.deepEqual(consoleErrors, [], 'no console errors, so no CSP violations');
  });
});
