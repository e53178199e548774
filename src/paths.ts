import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// src/ and dist/ both sit one level below the project root, so this holds for the
// TypeScript sources and for the compiled output alike.
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const viewsDir = resolve(projectRoot, 'views');
export const publicDir = resolve(projectRoot, 'public');
export const embeddedDbBinary = resolve(projectRoot, '.build', 'embedded-db');
