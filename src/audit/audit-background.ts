import { isDuplicateKey } from '../db/primary-key.js';
import type { Logger } from '../logger.js';
import { repeatUnlessBusy } from '../repeat.js';
import { writeCheckpoint } from './audit-checkpoint.repository.js';
import { AuditIndexer } from './audit-indexer.js';
import type { AuditKeys } from './audit-keys.js';

/**
 * The audit log's periodic work in a server process: keep the query indexes up to date
 * and sign a checkpoint of the chain head. Both are safe to run in every process.
 */
export function startAuditBackground(options: {
  keys: AuditKeys;
  logger: Logger;
  indexIntervalMs: number;
  checkpointIntervalSeconds: number;
}): () => Promise<void> {
  const log = options.logger.child({ component: 'audit' });
  const indexer = new AuditIndexer({ logger: log, keys: options.keys });

  const indexing = repeatUnlessBusy(options.indexIntervalMs, () =>
    indexer.runOnce().catch((err: unknown) => {
      // Another process taking the lease over at a slot's edge can meet this one's last
      // writes; the next round repeats the batch (indexing is idempotent), so it is no fault.
      if (isDuplicateKey(err))
        log.debug({ reason: (err as Error).message }, 'audit indexing met a concurrent write');
      else log.warn({ err }, 'audit indexing failed; will retry');
    }),
  );
  const checkpointing = repeatUnlessBusy(options.checkpointIntervalSeconds * 1000, () =>
    writeCheckpoint(options.keys, 'periodic')
      .then((checkpoint) => checkpoint && log.info({ seq: checkpoint.seq }, 'audit checkpoint signed'))
      .catch((err: unknown) => log.warn({ err }, 'audit checkpoint failed; will retry')),
  );

  return async () => {
    await Promise.allSettled([indexing.stop(), checkpointing.stop()]);
    await indexer.release().catch(() => undefined);
  };
}
