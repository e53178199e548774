import { Presets, SingleBar } from 'cli-progress';
import { createAuditLog } from '../audit/audit-log.js';
import { loadAuditKeys } from '../audit/audit-keys.js';
import { verifyAuditLog } from '../audit/audit-verifier.js';
import { loadConfig, loadEnvFile } from '../config.js';
import { openDatabase } from '../db/database.js';
import { createLogger } from '../logger.js';

/**
 * npm run audit:verify: recomputes the audit chain and checks every signed checkpoint.
 * Exit code 0 when intact, 1 when tampering is found (the first tampered event is named),
 * 2 when verification could not run.
 */
async function main() {
  loadEnvFile();
  const config = loadConfig();
  const logger = createLogger('warn');
  const database = await openDatabase(config, logger, 'tool');
  try {
    const keys = await loadAuditKeys({ pem: config.AUDIT_SIGNING_KEY, dataDir: config.DATA_DIR });
    const bar = new SingleBar(
      {
        format: 'Verifying [{bar}] {percentage}% | {value}/{total} events',
        noTTYOutput: true,
        notTTYSchedule: 5000,
      },
      Presets.shades_classic,
    );
    bar.start(1, 0);
    const result = await verifyAuditLog(keys, (done, total) => {
      bar.setTotal(Math.max(total, done));
      bar.update(done);
    });
    bar.stop();

    const audit = createAuditLog({ keys, logger });
    await audit.record({
      action: 'audit.verified',
      actor: { type: 'system', id: 'cli:audit-verify' },
      outcome: result.ok ? 'success' : 'failure',
      reason: result.problem?.kind,
      details: { lastSeq: result.lastSeq, durationMs: result.durationMs },
    });
    await audit.close();

    const checkpoint = result.latestCheckpoint
      ? `latest signed checkpoint at event ${result.latestCheckpoint.seq} (${result.latestCheckpoint.at.toISOString()})`
      : 'no signed checkpoint yet';
    if (result.ok) {
      console.log(
        `Audit log intact: ${result.lastSeq} events, ${result.checkpointsChecked} checkpoints checked, ${checkpoint}.`,
      );
      console.log(`Head hash ${result.headHash} (${result.durationMs} ms).`);
    } else {
      console.error(`AUDIT LOG TAMPERED: ${result.problem!.kind} at event ${result.problem!.seq}`);
      console.error(result.problem!.message);
      console.error(`Events 1..${result.lastSeq} verified before the problem; ${checkpoint}.`);
    }
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
