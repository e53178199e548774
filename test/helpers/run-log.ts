import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLogger, type Logger } from '../../src/logger.js';
import { projectRoot } from '../../src/paths.js';

/**
 * What the server code under test and the embedded database report at warning level or
 * above, kept in `test-artifacts/test-run.log` instead of being thrown away: when a test
 * meets a 503 or a 500, the cause is in the log (and printed at the end of a failing run),
 * not lost to a silent logger. Many tests cause failures on purpose, so the log is read only
 * when something failed.
 */
const artifactsDir = join(projectRoot, 'test-artifacts');
export const runLogPath = join(artifactsDir, 'test-run.log');
mkdirSync(artifactsDir, { recursive: true });
const destination = pino.destination({ dest: runLogPath, sync: true, append: false });

export function runLogger(): Logger {
  return createLogger('warn', destination);
}

/** The last `max` warnings and errors the run logged, one line each, for the end of a failing run. */
export function lastLoggedProblems(max = 30): string[] {
  const lines = readFileSync(runLogPath, 'utf8').split('\n').filter(Boolean);
  const errors: string[] = [];
  for (const line of lines) {
    const entry = JSON.parse(line) as {
      level: number;
      time: number;
      msg?: string;
      component?: string;
      output?: string;
      err?: { type?: string; message?: string };
      req?: { method?: string; path?: string };
      responseTime?: number;
    };
    const request = entry.req ? `${entry.req.method} ${entry.req.path} ${entry.responseTime ?? '?'} ms` : '';
    const err = entry.err ? `${entry.err.type}: ${entry.err.message}` : (entry.output ?? '');
    errors.push(
      `${new Date(entry.time).toISOString()} ${entry.component ?? 'server'} ${entry.msg ?? ''} ${request} ${err}`,
    );
  }
  return errors.slice(-max);
}
