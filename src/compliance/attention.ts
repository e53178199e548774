import { dailyStats } from '../audit/audit-query.repository.js';
import type { DailyStats } from '../audit/audit-stats.js';
import { noApp } from '../audit/audit-stats.js';
import { utcDaysBefore } from './utc-days.js';

/**
 * The attention list: apps whose refused reads, unattended-limit refusals or read volume
 * jump against their own recent past. The last `recentDays` are compared with the
 * `baselineDays` before them, per day, so an app is measured against itself, not against
 * others. Small numbers are ignored: a jump must also be large in absolute terms.
 */
export interface AttentionItem {
  clientId: string;
  kind: 'refusals' | 'unattended' | 'volume';
  /** Per day over the recent period, and over the baseline. */
  recent: number;
  baseline: number;
  /** The action whose events are behind it, for the link to them. */
  action: 'data.denied' | 'data.accessed';
}

const rules = {
  /** Recent refusals (and unattended-limit refusals) per day at least this many times the baseline... */
  refusalFactor: 2,
  /** ...and at least this many in the recent period. */
  minRefusals: 5,
  volumeFactor: 3,
  minReads: 50,
};

interface Totals {
  reads: number;
  refusals: number;
  unattended: number;
}

function totals(days: readonly DailyStats[]): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const day of days) {
    for (const app of day.apps) {
      if (app.clientId === noApp) continue;
      const t = out.get(app.clientId) ?? { reads: 0, refusals: 0, unattended: 0 };
      t.reads += app.actions.find((a) => a.name === 'data.accessed')?.count ?? 0;
      t.refusals += app.actions.find((a) => a.name === 'data.denied')?.count ?? 0;
      t.unattended += app.refusals.find((r) => r.name === 'unattended_limit')?.count ?? 0;
      out.set(app.clientId, t);
    }
  }
  return out;
}

export function attentionList(
  recent: readonly DailyStats[],
  baseline: readonly DailyStats[],
  recentDays: number,
  baselineDays: number,
): AttentionItem[] {
  const now = totals(recent);
  const before = totals(baseline);
  const items: AttentionItem[] = [];
  for (const [clientId, t] of now) {
    const b = before.get(clientId) ?? { reads: 0, refusals: 0, unattended: 0 };
    const perDay = (n: number, days: number) => n / days;
    const jump = (key: keyof Totals, factor: number, min: number) => {
      const r = perDay(t[key], recentDays);
      const base = perDay(b[key], baselineDays);
      return t[key] >= min && r >= factor * base && r > base ? { recent: r, baseline: base } : undefined;
    };
    const refusals = jump('refusals', rules.refusalFactor, rules.minRefusals);
    if (refusals) items.push({ clientId, kind: 'refusals', action: 'data.denied', ...refusals });
    const unattended = jump('unattended', rules.refusalFactor, rules.minRefusals);
    if (unattended) items.push({ clientId, kind: 'unattended', action: 'data.denied', ...unattended });
    const volume = jump('reads', rules.volumeFactor, rules.minReads);
    if (volume) items.push({ clientId, kind: 'volume', action: 'data.accessed', ...volume });
  }
  return items.sort((a, b) => b.recent / (b.baseline || 1) - a.recent / (a.baseline || 1));
}

/** The last 7 days (today included) against the 28 before them, from the indexer's daily figures. */
export async function appsNeedingAttention(now = new Date()) {
  const recentDays = 7;
  const baselineDays = 28;
  const recentDayList = utcDaysBefore(now, recentDays);
  const [recent, baseline] = await Promise.all([
    dailyStats(recentDayList),
    dailyStats(utcDaysBefore(now, baselineDays, recentDays)),
  ]);
  return {
    since: recentDayList[0]!,
    items: attentionList(recent, baseline, recentDays, baselineDays),
  };
}
