import type { Request } from 'express';

/** Links of the compliance pages that keep, change or carry the officer's filter. */

/** A filter the search accepted, as the query string of the exports that must match it. */
export function filterQuery(filter: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value instanceof Date) params.set(key, value.toISOString());
    else if (value !== undefined) params.set(key, String(value));
  }
  return params.toString();
}

/** The current query string without some keys (for links that keep the filter). */
export function queryString(req: Request, drop: string[]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query)) {
    if (!drop.includes(key) && typeof value === 'string' && value !== '') params.set(key, value);
  }
  return params.toString();
}

export function withQuery(req: Request, set: Record<string, string>, drop: string[] = []): string {
  const params = new URLSearchParams(queryString(req, [...Object.keys(set), ...drop]));
  for (const [key, value] of Object.entries(set)) params.set(key, value);
  const query = params.toString();
  return query ? `${req.path}?${query}` : req.path;
}

/** Quick time ranges for the search, keeping the rest of the filter: links, so no script is needed. */
export function datePresets(req: Request, now: Date) {
  const hour = 3_600_000;
  const startOfMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return [
    { label: 'Last hour', from: new Date(now.getTime() - hour) },
    { label: 'Last 24 hours', from: new Date(now.getTime() - 24 * hour) },
    { label: 'Last 7 days', from: new Date(now.getTime() - 7 * 24 * hour) },
    { label: 'This month', from: startOfMonth },
  ].map((p) => ({
    label: p.label,
    href: withQuery(req, { from: p.from.toISOString().slice(0, 16) }, ['to', 'before', 'after']),
  }));
}
