import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BSON } from 'mongodb';
import mongoose from 'mongoose';

/** Per collection: how many documents, and a hash of their content (independent of order). */
export type DatabaseSnapshot = Map<string, { count: number; hash: string }>;

/**
 * Collections that change on requests that must otherwise change nothing, for reasons that
 * are not the request's effect:
 * - `sessions`: sessions are rolling, so every request with a session cookie moves its expiry;
 * - `oidc_replay_detection`: a DPoP proof is spent as soon as it is checked, before the body
 *   is read, so that a refused request cannot be replayed either;
 * - `leases` and the audit writer's staging (docs/audit-log.md): processes taking turns at
 *   background work and at writing the audit chain, whatever the requests are (the audit
 *   writer gives its lease up when idle);
 * - the audit log's index and sealed blocks: built in the background from events already
 *   written (by each server's indexer, and between tests by the tests' own), so they move
 *   whenever the indexer catches up; an event a request wrote shows in `audit_events`.
 */
export const technicalCollections = [
  'sessions',
  'oidc_replay_detection',
  'leases',
  'audit_staged_batches',
  'audit_seal_passes',
  'audit_seal_receipts',
  'audit_index_state',
  'audit_postings',
  'audit_posting_dirs',
  'audit_daily_stats',
  'audit_event_blocks',
];

/**
 * Counts and content hashes of every collection of the test database but `exclude`. Each
 * document is hashed from its BSON bytes, and the collection's hash is that of the sorted
 * document hashes, so any insert, update or delete shows.
 */
export async function snapshotDatabase(exclude: string[] = technicalCollections): Promise<DatabaseSnapshot> {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((name) => !exclude.includes(name) && !name.startsWith('system.'))
    .sort();
  const snapshot: DatabaseSnapshot = new Map();
  await Promise.all(
    names.map(async (name) => {
      const hashes: string[] = [];
      for await (const doc of db.collection(name).find({})) {
        hashes.push(createHash('sha256').update(BSON.serialize(doc)).digest('hex'));
      }
      hashes.sort();
      snapshot.set(name, {
        count: hashes.length,
        hash: createHash('sha256').update(hashes.join('')).digest('hex'),
      });
    }),
  );
  return new Map([...snapshot].sort(([a], [b]) => a.localeCompare(b)));
}

/** The collections whose count or content differs between two snapshots. */
export function changedCollections(before: DatabaseSnapshot, after: DatabaseSnapshot): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => {
    const a = before.get(name);
    const b = after.get(name);
    // A collection that appears empty is no change (FerretDB creates some on first read).
    if (!a || !b) return (a?.count ?? 0) !== (b?.count ?? 0);
    return a.count !== b.count || a.hash !== b.hash;
  });
}

export function assertUnchanged(before: DatabaseSnapshot, after: DatabaseSnapshot, what: string) {
  const changed = changedCollections(before, after);
  assert.deepEqual(
    changed.map(
      (name) => `${name}: ${before.get(name)?.count ?? 0} -> ${after.get(name)?.count ?? 0} documents`,
    ),
    [],
    `${what} changed the database`,
  );
}
