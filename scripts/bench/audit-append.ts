import { createAuditLog } from '../../src/audit/audit-log.js';
import { auditKeysFromPem, generateAuditKeyPem } from '../../src/audit/audit-keys.js';
import { createLogger } from '../../src/logger.js';
import { freshDatabase } from './bench-db.js';

export interface AppendFigures {
  writers: number;
  concurrency: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

/**
 * Appends per second through the audit service: `writers` independent writers (each as a
 * separate server process would be: its own lease, staging and chain head, on one
 * database), each with `callersPerWriter` callers waiting on each append.
 */
export async function appendScenario(
  writers: number,
  callersPerWriter: number,
  total = 10_000,
): Promise<AppendFigures> {
  const db = await freshDatabase();
  try {
    const keys = auditKeysFromPem(generateAuditKeyPem());
    const logs = Array.from({ length: writers }, () =>
      createAuditLog({ keys, logger: createLogger('silent') }),
    );
    let issued = 0;
    let failures = 0;
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: writers * callersPerWriter }, async (_, caller) => {
        const log = logs[caller % writers]!;
        while (issued < total) {
          issued += 1;
          const begin = performance.now();
          try {
            await log.record({
              action: 'data.accessed',
              actor: { type: 'app', id: 'bench' },
              clientId: 'bench',
              outcome: 'success',
              recordCount: 50,
            });
          } catch {
            failures += 1;
          }
          latencies.push(performance.now() - begin);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    await Promise.all(logs.map((log) => log.close()));
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    return {
      writers,
      concurrency: writers * callersPerWriter,
      eventsPerSecond: total / seconds,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      failures,
    };
  } finally {
    await db.dispose();
  }
}
