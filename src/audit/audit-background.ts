import type { Logger } from '../logger.js';
import { writeCheckpoint } from './audit-checkpoint.service.js';
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
  const indexer = new AuditIndexer({ logger: log });
  let indexing: Promise<unknown> = Promise.resolve();
  let checkpointing: Promise<unknown> = Promise.resolve();

  const indexTimer = setInterval(() => {
    indexing = indexer
      .runOnce()
      .catch((err: unknown) => log.warn({ err }, 'audit indexing failed; will retry'));
  }, options.indexIntervalMs);
  const checkpointTimer = setInterval(() => {
    checkpointing = writeCheckpoint(options.keys, 'periodic')
      .then((checkpoint) => checkpoint && log.info({ seq: checkpoint.seq }, 'audit checkpoint signed'))
      .catch((err: unknown) => log.warn({ err }, 'audit checkpoint failed; will retry'));
  }, options.checkpointIntervalSeconds * 1000);

  return async () => {
    clearInterval(indexTimer);
    clearInterval(checkpointTimer);
    await Promise.allSettled([indexing, checkpointing]);
    await indexer.release().catch(() => undefined);
  };
}
