import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { buildTestApp, createTestAuditLog, testIndexer } from '../helpers/app.js';
import { launchBrowser, listen, watchConsoleErrors } from '../helpers/browser.js';
import { lookAt } from '../helpers/look-at.js';
import { createPerson } from '../helpers/factories.js';

describe('browser: a compliance officer reviews the audit log', function () {
  this.timeout(90_000);
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

  it('finds a failed sign-in, opens it, sees activity charts, and verifies the log', async () => {
    const officer = await createPerson('compliance');
    const customer = await createPerson('customer');
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

    const page = await browser.newPage();
    const consoleErrors = watchConsoleErrors(page);

    // The customer mistypes their password once; the attempt is in the log.
    await page.goto(`${baseUrl}/signin`);
    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await testIndexer.catchUp();

    await page.goto(`${baseUrl}/signin`);
    await page.getByLabel('Email').fill(officer.email);
    await page.getByLabel('Password').fill(officer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();

    // Found by the e-mail address she signs in with.
    await page.getByLabel('Customer (e-mail or customer ID)').fill(customer.email);
    await page.getByLabel('Action').selectOption({ label: 'Sign-in failed' });
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('table.data tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(
      await rows.first().innerText(),
      new RegExp(`Sign-in failed[\\s\\S]*wrong_password[\\s\\S]*${customer.name}[\\s\\S]*${customer.email}`),
    );

    await lookAt(page, 'compliance-search', { widths: [1280], reflow: false });
    await page.getByRole('link', { name: 'Export these events…' }).click();
    await page.getByRole('heading', { name: 'Export 1 event' }).waitFor();
    await lookAt(page, 'compliance-export-review', { widths: [1280], reflow: false });
    await page.getByRole('link', { name: 'Printable cover for a regulator' }).click();
    await page.locator('.verdict').getByText('Intact.').waitFor();
    await lookAt(page, 'compliance-evidence-cover', { widths: [1280], reflow: false });
    await page.goBack();
    await page.goBack();
    await rows.first().getByRole('link').first().click();
    await page.getByRole('heading', { name: /Audit event \d+/ }).waitFor();
    await lookAt(page, 'compliance-event', { widths: [1280], reflow: false });

    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: /Activity/ }).waitFor();
    // The chart library drew into the canvas (it sets a pixel size on it).
    await page.waitForFunction(
      "window.Chart !== undefined && document.querySelector('#daily-chart').width > 0",
    );
    assert.match(await page.locator('#apps-table').innerText(), /app-e2e[\s\S]*permission_missing: 2/);
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
