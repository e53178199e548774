import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';

/** A fresh embedded database in a throwaway folder, for one scenario at one size. */
export async function freshDatabase(): Promise<{
  database: Database;
  dataDir: string;
  dispose(): Promise<void>;
}> {
  const dataDir = await mkdtemp(join(tmpdir(), 'consent-manager-bench-'));
  const database = await openDatabase(
    { DATA_DIR: dataDir, MONGODB_URI: undefined },
    createLogger('warn'),
    'tool',
  );
  return {
    database,
    dataDir,
    async dispose() {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function timeIt(runs: number, work: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return median(times);
}
