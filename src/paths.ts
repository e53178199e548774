import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// src/ and dist/ both sit one level below the project root, so this holds for the
// TypeScript sources and for the compiled output alike.
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const viewsDir = resolve(projectRoot, 'views');
export const publicDir = resolve(projectRoot, 'public');
export const embeddedDbBinary = resolve(projectRoot, '.build', 'embedded-db');

const require = createRequire(import.meta.url);

/** Browser libraries served from this origin (never a CDN), by URL path. */
export const vendorFiles: Record<string, string> = {
  // chart.js exports only its module entry (dist/chart.cjs); the browser build sits beside it.
  '/public/vendor/chart.umd.min.js': resolve(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
};
