import type { Model } from 'mongoose';

/**
 * Storage rules that hold on both MongoDB and the embedded FerretDB 1.24 (SQLite):
 *
 * - Only `_id` equality is answered from an index by FerretDB; any other filter, sort or
 *   `$in` scans the whole collection. Hot paths therefore read by `_id` only.
 * - FerretDB applies updates as read-modify-write without isolation: concurrent `$inc`
 *   or status-conditioned updates lose writes (measured: 500 concurrent `$inc` left 6;
 *   20 racing conditional updates had 4 winners). Inserting a document with a unique
 *   `_id` is atomic on both engines, so every decision that must have one winner is
 *   made by such an insert (a "claim").
 */

/** Reads documents by `_id`, one indexed lookup each, in the order given; missing ones are skipped. */
export async function findManyById<T>(
  ids: readonly string[],
  findById: (id: string) => PromiseLike<T | null>,
) {
  const docs = await Promise.all(ids.map((id) => findById(id)));
  return docs.filter((doc): doc is Awaited<T> & {} => doc !== null);
}

/** Inserts a document whose `_id` must be new. Resolves false when another writer got there first. */
export async function claim(
  model: Model<never>,
  doc: Record<string, unknown> & { _id: string },
): Promise<boolean> {
  try {
    await model.collection.insertOne(doc as never);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number })?.code === 11000;
}
