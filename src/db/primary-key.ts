import type { Collection, Document, OptionalId } from 'mongodb';

/** A model (or anything) whose collection takes inserts: what a claim needs. */
export interface Claimable {
  collection: Pick<Collection<Document>, 'insertOne'>;
}

type Fields = Record<string, unknown>;

/**
 * The storage building blocks every repository uses. Why they exist, and what each would
 * be on MongoDB alone, is written down in docs/storage.md. In short: the embedded FerretDB
 * answers only `_id` equality from an index, and applies updates without isolation, while
 * inserting a document with a new `_id` is atomic on every engine.
 */

/** Reads documents by `_id`, one indexed lookup each, in the order given; missing ones are skipped. */
export async function findManyById<T>(
  ids: readonly string[],
  findById: (id: string) => PromiseLike<T | null>,
) {
  const docs = await Promise.all(ids.map((id) => findById(id)));
  return docs.filter((doc): doc is Awaited<T> & {} => doc !== null);
}

/**
 * Claims `doc._id` by inserting it: the one way to make a decision with exactly one
 * winner on both engines. Resolves false when another writer got there first.
 */
export async function claim(model: Claimable, doc: Fields & { _id: string }): Promise<boolean> {
  try {
    // The driver types `_id` as an ObjectId; every key here is a string that carries meaning.
    await model.collection.insertOne(doc as unknown as OptionalId<Document>);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number })?.code === 11000;
}

/**
 * The end of a run of numbered documents that exist from `from + 1` upward (`from` itself
 * known to exist, or 0): gallops forward (+1, +2, +4, ...) then halves back, so it costs
 * O(log n) primary-key lookups, with no scan and no sort, on any engine. `max` bounds the
 * search (slots of a limited count).
 */
export async function endOfRun(
  exists: (n: number) => PromiseLike<boolean>,
  from = 0,
  max = Number.POSITIVE_INFINITY,
): Promise<number> {
  let known = from;
  let step = 1;
  let missing = Math.min(known + step, max + 1);
  while (missing <= max && (await exists(missing))) {
    known = missing;
    step *= 2;
    missing = Math.min(known + step, max + 1);
  }
  while (missing - known > 1) {
    const middle = Math.floor((known + missing) / 2);
    if (await exists(middle)) known = middle;
    else missing = middle;
  }
  return known;
}

/**
 * Takes the first free numbered slot after `from` (slots `<prefix>#<n>`, n = 1..max) by
 * insert, moving on past slots another writer took first. Resolves the slot taken, or
 * undefined when all `max` are taken.
 */
export async function takeSlot(
  model: Claimable,
  slotId: (n: number) => string,
  fields: Fields,
  options: { from?: number; max?: number } = {},
): Promise<number | undefined> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  for (let n = (options.from ?? 0) + 1; n <= max; n++) {
    if (await claim(model, { ...fields, _id: slotId(n) })) return n;
  }
  return undefined;
}
