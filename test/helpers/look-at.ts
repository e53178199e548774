import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { screenshot } from './browser.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResults {
  violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
}

/** axe-core's violations on the page as it stands, one line each ("color-contrast (serious): ... at .badge"). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the browser's debugging protocol, so the page's CSP does not apply to it.
  await page.evaluate(axeSource);
  const results = (await page.evaluate('axe.run()')) as AxeResults;
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/**
 * Looks at a page as its reader would on a desktop (1280 px) and a phone (390 px): a
 * screenshot of each under test-artifacts/, axe-core with no violations at either width,
 * and no sideways scrolling at 320 px (WCAG reflow; a failure leaves a 320 px screenshot
 * and names the elements that stick out). Leaves the page at 1280 px.
 */
export async function lookAt(
  page: Page,
  name: string,
  // Staff pages with wide tables are checked on the desktop they are used on.
  { widths = [1280, 390], reflow = true }: { widths?: number[]; reflow?: boolean } = {},
): Promise<void> {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
    assert.deepEqual(await accessibilityViolations(page), [], `${name} at ${width} px: axe-core`);
  }
  if (!reflow) return;
  await page.setViewportSize({ width: 320, height: 900 });
  const overflow = (await page.evaluate(
    'document.documentElement.scrollWidth - window.innerWidth',
  )) as number;
  if (overflow > 0) {
    await screenshot(page, `${name}-320`);
    const wide = await page.evaluate(
      `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).slice(-5).join(', ')`,
    );
    assert.fail(`${name} at 320 px scrolls sideways by ${overflow} px (widest: ${String(wide)})`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
