import { AuditPostingDirModel, AuditPostingModel } from './audit-index.model.js';
import {
  bucketId,
  pageId,
  postingBucketSize,
  postingKey,
  type BucketedField,
  type PagedField,
} from './audit-postings.js';

/**
 * Which sequence numbers could match a search, from the posting lists the indexer keeps
 * (audit-indexer.ts): the events are then read and checked by audit-query.repository.ts.
 */

const sparseFields: PagedField[] = ['consentId', 'customerId'];
const denseFields: BucketedField[] = ['clientId', 'action', 'outcome'];

/**
 * Candidate sequence numbers in order: the unindexed tail directly; the rest from the
 * sparse list of a consent or customer filter (other filters are then checked on the
 * events), or else the intersection of the dense lists, or else every number.
 */
export async function* candidates(
  filter: Partial<Record<PagedField | BucketedField, string>>,
  order: 'desc' | 'asc',
  low: number,
  high: number,
  indexedThrough: number,
): AsyncGenerator<number> {
  if (low > high) return;
  const sparse = sparseFields.find((field) => filter[field] !== undefined);
  const dense = denseFields
    .filter((field) => filter[field] !== undefined)
    .map((f) => postingKey(f, String(filter[f])));
  const tail = { low: Math.max(low, indexedThrough + 1), high };
  const indexed = { low, high: Math.min(high, indexedThrough) };
  const range = function* (from: number, to: number) {
    if (order === 'desc') for (let s = to; s >= from; s--) yield s;
    else for (let s = from; s <= to; s++) yield s;
  };
  const fromIndex = async function* () {
    if (indexed.low > indexed.high) return;
    if (sparse)
      yield* pagedPostings(postingKey(sparse, String(filter[sparse])), order, indexed.low, indexed.high);
    else if (dense.length > 0) yield* intersectBuckets(dense, order, indexed.low, indexed.high);
    else yield* range(indexed.low, indexed.high);
  };

  if (order === 'desc') {
    yield* range(tail.low, tail.high);
    yield* fromIndex();
  } else {
    yield* fromIndex();
    yield* range(tail.low, tail.high);
  }
}

const ordered = (seqs: Iterable<number>, low: number, high: number, order: 'desc' | 'asc') =>
  // A set: an indexing batch replayed after a crash may have appended some numbers twice.
  [...new Set(seqs)].filter((s) => s >= low && s <= high).sort((a, b) => (order === 'desc' ? b - a : a - b));

/** A sparse key's pages that overlap [low, high], in order. */
async function* pagedPostings(
  key: string,
  order: 'desc' | 'asc',
  low: number,
  high: number,
): AsyncGenerator<number> {
  const pages = (await AuditPostingDirModel.findById(key).lean())?.pages ?? [];
  const spans = pages.map((page, i) => ({
    n: page.n!,
    from: page.minSeq!,
    to: (pages[i + 1]?.minSeq ?? Infinity) - 1,
  }));
  const overlapping = spans.filter((span) => span.to >= low && span.from <= high);
  if (order === 'desc') overlapping.reverse();
  for (const span of overlapping) {
    const page = await AuditPostingModel.findById(pageId(key, span.n)).lean();
    yield* ordered(page?.seqs ?? [], low, high, order);
  }
}

/**
 * Sequence numbers present in every dense key's list, bucket by bucket: only buckets all
 * keys have are read, and only exact matches are yielded.
 */
async function* intersectBuckets(
  keys: string[],
  order: 'desc' | 'asc',
  low: number,
  high: number,
): AsyncGenerator<number> {
  const dirs = await Promise.all(keys.map((key) => AuditPostingDirModel.findById(key).lean()));
  if (dirs.some((dir) => !dir?.buckets)) return;
  const lowBucket = Math.floor(low / postingBucketSize);
  const highBucket = Math.floor(high / postingBucketSize);
  const [first, ...others] = dirs.map((dir) => new Set(dir!.buckets));
  const buckets = [...first!]
    .filter((b) => b >= lowBucket && b <= highBucket && others.every((set) => set.has(b)))
    .sort((a, b) => (order === 'desc' ? b - a : a - b));

  for (const bucket of buckets) {
    const postings = await Promise.all(
      keys.map((key) => AuditPostingModel.findById(bucketId(key, bucket)).lean()),
    );
    const lists = postings.map((p) => p?.seqs ?? []).sort((a, b) => a.length - b.length);
    const rest = lists.slice(1).map((list) => new Set(list));
    yield* ordered(
      lists[0]!.filter((s) => rest.every((set) => set.has(s))),
      low,
      high,
      order,
    );
  }
}
