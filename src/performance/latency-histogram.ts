/**
 * Latencies kept as counts in fixed buckets, so a minute of any number of requests is a
 * few dozen numbers and minutes add up by adding counts. Bucket bounds grow by about 20%
 * (1 ms to 60 s), so a percentile read back is within 20% of the true value, from above.
 */
export const bucketBoundsMs: number[] = (() => {
  const bounds: number[] = [];
  for (let b = 1; b < 60_000; b = Math.ceil(b * 1.2)) bounds.push(b);
  // The published limits are bounds of their own, so "within the limit" is counted exactly.
  bounds.push(1000, 1500, 60_000, Infinity);
  return [...new Set(bounds)].sort((a, b) => a - b);
})();

export function bucketOf(ms: number): number {
  let i = 0;
  while (ms > bucketBoundsMs[i]!) i++;
  return i;
}

export function addCounts(into: number[], from: readonly number[]): number[] {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + from[i]!;
  return into;
}

/** The upper bound of the bucket holding the p-th percentile (p in 0..100); undefined with no data. */
export function percentileMs(counts: readonly number[], p: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return bucketBoundsMs[i];
  }
  return undefined;
}

/** The share of calls at or under `limitMs` (by whole buckets: a bucket counts if its upper bound is within the limit). */
export function shareWithin(counts: readonly number[], limitMs: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  let within = 0;
  counts.forEach((n, i) => {
    if (bucketBoundsMs[i]! <= limitMs) within += n;
  });
  return within / total;
}
