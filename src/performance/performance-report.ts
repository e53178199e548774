import { endpointClasses, latencyLimitMs, type EndpointClass } from './endpoint-class.js';
import { addCounts, percentileMs, shareWithin } from './latency-histogram.js';
import { minutesBetween, type ClassMinute } from './performance.repository.js';

/**
 * The developer interface's performance report: for each of the last 13 calendar months
 * (UTC), how many calls it had and the share answered properly (anything but a server
 * error; the US 1033 rule asks for at least 99.5% a month, published monthly with 13
 * months of history), and, per endpoint class, latency percentiles and the share within
 * Australia's CDR limit (95% of calls). Public: it holds counts only.
 */
export const availabilityTarget = 0.995;
export const withinLimitTarget = 0.95;

interface Totals {
  calls: number;
  properlyAnswered: number;
  serverErrors: number;
  latency: number[];
}

const emptyTotals = (): Totals => ({ calls: 0, properlyAnswered: 0, serverErrors: 0, latency: [] });

function add(into: Totals, c: ClassMinute) {
  const calls = c.ok + c.clientError + c.serverError;
  into.calls += calls;
  into.properlyAnswered += calls - c.serverError;
  into.serverErrors += c.serverError;
  addCounts(into.latency, c.latency);
}

const monthKey = (d: Date) => d.toISOString().slice(0, 7);

export async function performanceReport(now = new Date()) {
  const firstMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 12, 1));
  const minutes = await minutesBetween(firstMonth, now);
  const months = new Map<string, { all: Totals; classes: Map<string, Totals> }>();
  for (let i = 0; i < 13; i++) {
    const month = new Date(Date.UTC(firstMonth.getUTCFullYear(), firstMonth.getUTCMonth() + i, 1));
    months.set(monthKey(month), { all: emptyTotals(), classes: new Map() });
  }
  for (const minute of minutes) {
    const month = months.get(monthKey(new Date(minute.minute)));
    if (!month) continue;
    for (const [cls, counts] of Object.entries(minute.classes)) {
      add(month.all, counts);
      const perClass = month.classes.get(cls) ?? emptyTotals();
      add(perClass, counts);
      month.classes.set(cls, perClass);
    }
  }
  const summary = (t: Totals, cls?: EndpointClass) => {
    const limit = cls ? latencyLimitMs[cls] : undefined;
    return {
      calls: t.calls,
      properlyAnswered: t.properlyAnswered,
      serverErrors: t.serverErrors,
      availability: t.calls ? t.properlyAnswered / t.calls : null,
      latencyMs: {
        p50: percentileMs(t.latency, 50) ?? null,
        p95: percentileMs(t.latency, 95) ?? null,
        p99: percentileMs(t.latency, 99) ?? null,
      },
      ...(limit ? { limitMs: limit, withinLimit: shareWithin(t.latency, limit) ?? null } : {}),
    };
  };
  return {
    generatedAt: now.toISOString(),
    targets: { availability: availabilityTarget, withinLatencyLimit: withinLimitTarget },
    months: [...months].reverse().map(([month, m]) => ({
      month,
      ...summary(m.all),
      classes: Object.fromEntries(
        endpointClasses.map((cls) => [cls, summary(m.classes.get(cls) ?? emptyTotals(), cls)]),
      ) as Record<EndpointClass, ReturnType<typeof summary>>,
    })),
  };
}

export type PerformanceReport = Awaited<ReturnType<typeof performanceReport>>;
