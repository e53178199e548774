import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { auditKeysFromPem, generateAuditKeyPem } from '../../src/audit/audit-keys.js';
import { AuditIndexer } from '../../src/audit/audit-indexer.js';
import { searchAuditEvents } from '../../src/audit/audit-query.repository.js';
import { verifyAuditLog } from '../../src/audit/audit-verifier.js';
import { createLogger } from '../../src/logger.js';
import { projectRoot } from '../../src/paths.js';
import { indexInBulk, seedAuditHistory } from '../../src/seed/audit-history.js';
import { freshDatabase, timeIt } from './bench-db.js';

export interface ComplianceFigures {
  events: number;
  seedSeconds: number;
  firstPageMs: number;
  deepPageMs: number;
  customerPageMs: number;
  /** Events on that page: a full page (50) at every size, so sizes compare like for like. */
  customerPageEvents: number;
  timeRangePageMs: number;
  timeRangePageEvents: number;
  export: { events: number; durationMs: number; peakHeapMb: number; maxRssMb: number; bytes: number };
  /** The whole log verified (hashes, MACs, chain and checkpoints), as the integrity page runs it. */
  verify: { events: number; durationMs: number; ok: boolean };
}

/** Seeds `events` audit events through the audit service, then times filtered queries and one full export. */
export async function complianceScenario(
  events: number,
  log: (line: string) => void,
): Promise<ComplianceFigures> {
  const db = await freshDatabase();
  try {
    const logger = createLogger('warn');
    const asOf = new Date();
    const clock = { time: asOf };
    const keyPem = generateAuditKeyPem();
    const keys = auditKeysFromPem(keyPem);
    const audit = createAuditLog({
      keys,
      logger,
      now: () => clock.time,
    });
    const indexer = new AuditIndexer({ logger, keys });
    // About 500 events per customer at every size: the log grows with the bank's customers,
    // not with one customer's history, and every customer has a full first page to show.
    const customerIds = Array.from(
      { length: Math.max(20, Math.round(events / 500)) },
      (_, i) => `cus-bench-${i}`,
    );
    const seedStart = performance.now();
    let logged = 0;
    await seedAuditHistory(
      audit,
      clock,
      {
        seed: 'bench',
        events,
        customerIds,
        asOf,
        // Every 100,000 events (waves are not round numbers).
        onProgress: (done) => {
          if (Math.floor(done / 100_000) > Math.floor(logged / 100_000)) log(`  ${done} events written`);
          logged = done;
        },
      },
      indexInBulk(indexer),
    );
    await indexer.catchUp();
    const seedSeconds = (performance.now() - seedStart) / 1000;
    log(`  seeded and indexed ${events} events in ${seedSeconds.toFixed(0)} s`);

    const filter = { clientId: 'app-spendwise', action: 'data.denied' as const };
    const firstPageMs = await timeIt(15, () => searchAuditEvents(filter, { limit: 50 }));
    const deepPageMs = await timeIt(15, () =>
      searchAuditEvents(filter, { limit: 50, before: Math.floor(events / 2) }),
    );
    const customerPage = () => searchAuditEvents({ customerId: 'cus-bench-7' }, { limit: 50 });
    const customerPageMs = await timeIt(15, customerPage);
    // Eight weeks: enough failures for a full page even at the smallest size.
    const to = new Date(asOf.getTime() - 100 * 86_400_000);
    const timeRangePage = () =>
      searchAuditEvents(
        { outcome: 'failure', from: new Date(to.getTime() - 56 * 86_400_000), to },
        { limit: 50 },
      );
    const timeRangePageMs = await timeIt(15, timeRangePage);

    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'scripts/bench/export-memory.ts', db.database.uri],
      {
        cwd: projectRoot,
        // The audit key checks the sealed blocks' MACs, as the server's does.
        env: { ...process.env, BENCH_AUDIT_KEY: keyPem },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await once(child, 'exit');
    const exported = JSON.parse(output.trim().split('\n').at(-1)!) as ComplianceFigures['export'];
    log(`  exported ${exported.events} events in ${(exported.durationMs / 1000).toFixed(0)} s`);
    const verifyStart = performance.now();
    const verification = await verifyAuditLog(keys);
    const verify = {
      events: verification.checkedEvents,
      durationMs: performance.now() - verifyStart,
      ok: verification.ok,
    };
    log(
      `  verified ${verify.events} events in ${(verify.durationMs / 1000).toFixed(0)} s (${verify.ok ? 'intact' : 'NOT intact'})`,
    );
    return {
      events,
      seedSeconds,
      firstPageMs,
      deepPageMs,
      customerPageMs,
      customerPageEvents: (await customerPage()).events.length,
      timeRangePageMs,
      timeRangePageEvents: (await timeRangePage()).events.length,
      export: exported,
      verify,
    };
  } finally {
    await db.dispose();
  }
}
