import type { Logger } from '../logger.js';
import { ServiceUnavailableError } from '../errors.js';
import type { AuditEvent, AuditInput } from './audit-event.js';
import type { AuditKeys } from './audit-keys.js';
import { AuditWriter } from './audit-writer.js';

/**
 * The one audit service every other part calls. `record` resolves once the event is
 * stored in the chain; if it cannot be stored it throws a 503, so the operation that
 * wanted to record it fails closed instead of going unrecorded.
 */
export interface AuditLog {
  keys: AuditKeys;
  record(input: AuditInput): Promise<AuditEvent>;
  /** Writes what is queued and gives up the writer's lease: at shutdown, before the database closes. */
  close(): Promise<void>;
}

export function createAuditLog(options: { keys: AuditKeys; logger: Logger; now?: () => Date }): AuditLog {
  const writer = new AuditWriter({ macKey: options.keys.macKey, logger: options.logger, now: options.now });
  return {
    keys: options.keys,
    async record(input) {
      try {
        return await writer.append(input);
      } catch (error) {
        options.logger.error({ err: error, action: input.action }, 'audit event could not be written');
        throw new ServiceUnavailableError(
          'The audit log is unavailable, so this request was not carried out.',
          error,
        );
      }
    },
    close: () => writer.close(),
  };
}
