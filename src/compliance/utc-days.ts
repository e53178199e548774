const dayMs = 86_400_000;

/**
 * The `count` whole UTC days (`YYYY-MM-DD`) ending `skip` days before today (UTC), oldest
 * first: the days the activity page, the consent funnel and the attention list count in.
 */
export function utcDaysBefore(now: Date, count: number, skip = 0): string[] {
  return Array.from({ length: count }, (_, i) =>
    new Date(now.getTime() - (skip + count - 1 - i) * dayMs).toISOString().slice(0, 10),
  );
}
