import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { startEmbeddedDb, type EmbeddedDb, type EmbeddedDbExit } from './embedded-db.js';

export interface SupervisedEmbeddedDb {
  uri: string;
  /** The running child's process id (a restart changes it). */
  readonly pid: number;
  /** Settles when the database stopped and could not be kept running: it kept dying, or would not start again. */
  lost: Promise<EmbeddedDbExit & { restarts: number }>;
  stop(): Promise<void>;
}

interface SuperviseOptions {
  binary: string;
  dataDir: string;
  logger: Logger;
  /** Called with each restarted child, before it counts as running (e.g. to record its process id). */
  onRestart?: (db: EmbeddedDb) => Promise<void>;
  /** Restarts allowed within any minute; one more death gives up. */
  maxRestartsPerMinute?: number;
}

/**
 * Runs the embedded database as a supervised child. If it dies, it is started again on
 * the same port and data directory, so the connection string stays valid and the driver
 * reconnects by itself; requests meanwhile are answered 503. A database that keeps dying
 * (more than `maxRestartsPerMinute` restarts in a minute, e.g. a damaged data file) or
 * cannot be started again is given up on: `lost` settles and the caller decides (the
 * server exits with code 1 and leaves the rest to whatever supervises it).
 */
export async function superviseEmbeddedDb({
  binary,
  dataDir,
  logger,
  onRestart,
  maxRestartsPerMinute = 3,
}: SuperviseOptions): Promise<SupervisedEmbeddedDb> {
  const log = logger.child({ component: 'embedded-db' });
  let current = await startEmbeddedDb({ binary, dataDir, logger });
  const { uri, port } = current;
  let stopping = false;
  let restarting: Promise<void> = Promise.resolve();
  const restartTimes: number[] = [];
  let giveUp!: (exit: EmbeddedDbExit & { restarts: number }) => void;
  const lost = new Promise<EmbeddedDbExit & { restarts: number }>((resolve) => (giveUp = resolve));

  const restart = async (exit: EmbeddedDbExit) => {
    let last = exit;
    for (;;) {
      const now = Date.now();
      while (restartTimes.length > 0 && restartTimes[0]! < now - 60_000) restartTimes.shift();
      if (restartTimes.length >= maxRestartsPerMinute) {
        giveUp({ ...last, restarts: restartTimes.length });
        return;
      }
      restartTimes.push(now);
      await delay(250 * 2 ** (restartTimes.length - 1));
      if (stopping) return;
      try {
        const next = await startEmbeddedDb({ binary, dataDir, logger, port });
        current = next;
        if (stopping) return void (await next.stop());
        await onRestart?.(next);
        log.warn({ pid: next.pid, uri }, 'embedded database restarted');
        watch(next);
        return;
      } catch (error) {
        log.error({ err: error }, 'the embedded database could not be restarted');
        last = { code: null, signal: null, lastOutput: [String(error)] };
      }
    }
  };

  const watch = (db: EmbeddedDb) => {
    void db.exited.then((exit) => {
      if (stopping) return;
      log.error(
        { code: exit.code, signal: exit.signal, lastOutput: exit.lastOutput },
        'the embedded database stopped unexpectedly; restarting it',
      );
      restarting = restart(exit);
    });
  };
  watch(current);

  return {
    uri,
    get pid() {
      return current.pid;
    },
    lost,
    async stop() {
      stopping = true;
      await restarting;
      await current.stop();
    },
  };
}
