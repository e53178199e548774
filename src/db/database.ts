import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { embeddedDbBinary } from '../paths.js';
import { superviseEmbeddedDb, type SupervisedEmbeddedDb } from '../embedded-db/embedded-db-supervisor.js';
import { readLiveRecord, removeRecord, writeRecord } from '../embedded-db/embedded-db-record.js';

export const databaseName = 'consent_manager';

export interface Database {
  uri: string;
  /** Present when this process started the embedded database itself (and restarts it if it dies). */
  embedded: SupervisedEmbeddedDb | undefined;
  close(): Promise<void>;
}

export class DatabaseInUseError extends Error {}

/**
 * Connects mongoose. With MONGODB_URI it is used as is. Without it, the embedded
 * database under DATA_DIR is used: a tool joins the one a running server started; a
 * server refuses to open files that another live process is serving.
 */
export async function openDatabase(
  config: Pick<Config, 'MONGODB_URI' | 'DATA_DIR'>,
  logger: Logger,
  kind: 'server' | 'tool',
): Promise<Database> {
  if (config.MONGODB_URI) {
    await connectMongoose(config.MONGODB_URI);
    return { uri: config.MONGODB_URI, embedded: undefined, close: () => mongoose.disconnect() };
  }

  const dataDir = resolve(config.DATA_DIR);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const live = await readLiveRecord(dataDir);
  if (live && kind === 'tool') {
    logger.info({ uri: live.uri, pid: live.ownerPid }, 'using the running embedded database');
    await connectMongoose(live.uri);
    return { uri: live.uri, embedded: undefined, close: () => mongoose.disconnect() };
  }
  if (live) {
    throw new DatabaseInUseError(
      `DATA_DIR ${dataDir} is being served by process ${live.ownerPid} (${live.ownerKind}). ` +
        `Stop it, use another DATA_DIR, or share its database with MONGODB_URI=${live.uri}`,
    );
  }

  const record = (dbPid: number) =>
    writeRecord(dataDir, {
      uri: embedded.uri,
      ownerPid: process.pid,
      ownerKind: kind,
      dbPid,
      startedAt: new Date().toISOString(),
    });
  const embedded = await superviseEmbeddedDb({
    binary: embeddedDbBinary,
    dataDir: join(dataDir, 'db'),
    logger,
    onRestart: (restarted) => record(restarted.pid),
  });
  await record(embedded.pid);
  try {
    await connectMongoose(embedded.uri);
  } catch (error) {
    await embedded.stop();
    await removeRecord(dataDir, process.pid);
    throw error;
  }
  return {
    uri: embedded.uri,
    embedded,
    close: async () => {
      await mongoose.disconnect();
      await embedded.stop();
      await removeRecord(dataDir, process.pid);
    },
  };
}

/**
 * When the database cannot be reached, every operation fails within
 * `serverSelectionTimeoutMS` and the request is answered 503 (see `db/unavailable.ts`):
 * with mongoose's command buffering off, nothing waits in a queue for a reconnection
 * (by default it would hold each operation for 10 s). The driver keeps probing the
 * server (every 500 ms while operations are waiting) and the next request after it is
 * back succeeds: no restart needed. A replica set election lasting longer than the time-out
 * also answers 503 until a primary is found.
 */
export const serverSelectionTimeoutMs = 2000;

async function connectMongoose(uri: string): Promise<void> {
  await mongoose.connect(uri, {
    dbName: databaseName,
    autoIndex: false,
    bufferCommands: false,
    serverSelectionTimeoutMS: serverSelectionTimeoutMs,
  });
}
