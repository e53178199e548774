import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The running embedded database's address, kept in DATA_DIR so that command-line tools
 * can use the database of a running server instead of opening the same files twice.
 */
export interface EmbeddedDbRecord {
  uri: string;
  ownerPid: number;
  ownerKind: 'server' | 'tool';
  dbPid: number;
  startedAt: string;
}

const fileName = 'embedded-db.json';

export async function readLiveRecord(dataDir: string): Promise<EmbeddedDbRecord | undefined> {
  let record: EmbeddedDbRecord;
  try {
    record = JSON.parse(await readFile(join(dataDir, fileName), 'utf8')) as EmbeddedDbRecord;
  } catch {
    return undefined;
  }
  // A record naming this very process was left by an earlier life of its pid (a crash, then
  // a container restarting with the same pid): it is stale.
  if (record.ownerPid === process.pid) return undefined;
  // The owner restarts its database if it dies: while it lives, the files are its own, even
  // in the moment between a database process dying and its replacement starting. A live
  // pid whose database is gone must still be our kind of process (not a reused pid).
  if (!isAlive(record.ownerPid)) return undefined;
  return isAlive(record.dbPid) || (await isNodeProcess(record.ownerPid)) ? record : undefined;
}

export async function writeRecord(dataDir: string, record: EmbeddedDbRecord): Promise<void> {
  await writeFile(join(dataDir, fileName), JSON.stringify(record, null, 2), { mode: 0o600 });
}

/** Removes the record only if it is still ours (another process may have taken over). */
export async function removeRecord(dataDir: string, ownerPid: number): Promise<void> {
  try {
    const record = JSON.parse(await readFile(join(dataDir, fileName), 'utf8')) as EmbeddedDbRecord;
    if (record.ownerPid === ownerPid) await rm(join(dataDir, fileName), { force: true });
  } catch {
    // Nothing to remove.
  }
}

/** Whether a pid runs Node (Linux's /proc; elsewhere assumed so, keeping the files safe). */
async function isNodeProcess(pid: number): Promise<boolean> {
  try {
    return /node/.test(await readFile(`/proc/${pid}/cmdline`, 'utf8'));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
