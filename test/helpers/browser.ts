import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Express } from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../src/paths.js';

// Debian's Chromium; CHROMIUM_PATH names another Chromium-based browser (a CI runner's Chrome).
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const artifactsDir = join(projectRoot, 'test-artifacts');

/** The browser, installed by `npm run setup:browser` (part of `npm test`) when missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: run "npm run setup:browser" (npm test does this first)`);
  }
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export async function listen(app: Express): Promise<{ server: Server; baseUrl: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { server, baseUrl: `http://127.0.0.1:${address.port}` };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}

/**
 * Collects console errors, which is where CSP violations and script failures show up.
 * Chromium also reports every non-2xx document as a console error; those are expected
 * (a refused sign-in answers 401) and left out.
 */
export function watchConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(message.text());
  });
  page.on('requestfailed', (request) => {
    // A link that starts a download is reported as an aborted navigation; tests check the download itself.
    const download =
      request.isNavigationRequest() &&
      request.failure()?.errorText === 'net::ERR_ABORTED' &&
      new URL(request.url()).pathname.endsWith('/download');
    if (!download) errors.push(`request failed: ${request.url()}`);
  });
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' && response.status() >= 400) {
      errors.push(`${response.status()} ${response.url()}`);
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
