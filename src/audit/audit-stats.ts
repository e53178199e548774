import type { AuditEvent } from './audit-event.js';

export interface Count {
  name: string;
  count: number;
}

export interface AppDay {
  clientId: string;
  total: number;
  success: number;
  failure: number;
  actions: Count[];
  refusals: Count[];
}

export interface DailyStats {
  _id: string;
  throughSeq: number;
  apps: AppDay[];
}

/** Events not tied to an app (sign-ins, staff views) are counted under this name. */
export const noApp = '(none)';

/**
 * Adds events to a day's statistics, skipping those already counted (by sequence number),
 * so applying the same batch twice counts it once. Returns the input unchanged when
 * nothing was new.
 */
export function mergeDailyStats(stats: DailyStats, events: readonly AuditEvent[]): DailyStats {
  const fresh = events.filter((e) => e.seq > stats.throughSeq);
  if (fresh.length === 0) return stats;
  const apps = new Map(stats.apps.map((a) => [a.clientId, cloneAppDay(a)]));
  for (const event of fresh) {
    const clientId = event.clientId ?? noApp;
    const app = apps.get(clientId) ?? {
      clientId,
      total: 0,
      success: 0,
      failure: 0,
      actions: [],
      refusals: [],
    };
    app.total += 1;
    app[event.outcome] += 1;
    bump(app.actions, event.action);
    if (event.outcome === 'failure' && event.action === 'data.denied')
      bump(app.refusals, event.reason ?? 'unspecified');
    apps.set(clientId, app);
  }
  return {
    _id: stats._id,
    throughSeq: Math.max(stats.throughSeq, ...fresh.map((e) => e.seq)),
    apps: [...apps.values()].sort((a, b) => (a.clientId < b.clientId ? -1 : 1)),
  };
}

function bump(counts: Count[], name: string) {
  const entry = counts.find((c) => c.name === name);
  if (entry) entry.count += 1;
  else counts.push({ name, count: 1 });
}

function cloneAppDay(app: AppDay): AppDay {
  return {
    ...app,
    actions: app.actions.map((c) => ({ name: c.name, count: c.count })),
    refusals: app.refusals.map((c) => ({ name: c.name, count: c.count })),
  };
}
