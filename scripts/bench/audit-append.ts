import { createAuditLog } from '../../src/audit/audit-log.js';
import { auditKeysFromPem, generateAuditKeyPem } from '../../src/audit/audit-keys.js';
import { createLogger } from '../../src/logger.js';
import { freshDatabase } from './bench-db.js';

export interface AppendFigures {
  concurrency: number;
  writers: number;
  eventsPerSecond: number;
  meanLatencyMs: number;
}

/**
 * Appends per second through the audit service with `concurrency` callers waiting on
 * each append, spread over `writers` independent writers (each as a separate server
 * process would be: its own chain head, racing the others for sequence numbers).
 */
export async function appendScenario(
  concurrency: number,
  writers: number,
  total = 5000,
): Promise<AppendFigures> {
  const db = await freshDatabase();
  try {
    const keys = auditKeysFromPem(generateAuditKeyPem());
    const logs = Array.from({ length: writers }, () =>
      createAuditLog({ keys, logger: createLogger('warn') }),
    );
    let issued = 0;
    let latency = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        const log = logs[worker % writers]!;
        while (issued < total) {
          issued += 1;
          const begin = performance.now();
          await log.record({
            action: 'data.accessed',
            actor: { type: 'app', id: 'bench' },
            clientId: 'bench',
            outcome: 'success',
            recordCount: 50,
          });
          latency += performance.now() - begin;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    return { concurrency, writers, eventsPerSecond: total / seconds, meanLatencyMs: latency / total };
  } finally {
    await db.dispose();
  }
}
