import { randomBytes } from 'node:crypto';
import { readOrCreateFile } from './data-dir-file.js';
import { join } from 'node:path';
import type { Config } from './config.js';

/**
 * The session secret comes from SESSION_SECRET. Outside production, when it is unset, one
 * is generated into DATA_DIR on first start so sessions survive restarts and are shared
 * by processes on the same DATA_DIR.
 */
export async function resolveSessionSecret(config: Config): Promise<string> {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  const file = join(config.DATA_DIR, 'session-secret');
  return (await readOrCreateFile(file, () => randomBytes(48).toString('base64url'))).trim();
}
