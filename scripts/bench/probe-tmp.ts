import { appendScenario } from './audit-append.js';
const G = globalThis as any;
const avg = (a: number[]) => (a.reduce((n, x) => n + x, 0) / Math.max(1, a.length)).toFixed(1);
for (const writers of [8]) {
  const r = await appendScenario(50 * writers, writers, 10000);
  console.log(writers, Math.round(r.eventsPerSecond), r.meanLatencyMs.toFixed(1), 'pick', avg(G.__pick), 'sw', avg(G.__sw), 'pass', avg(G.__passms.map((x: number[]) => x[0])), 'insert', avg(G.__ins), 'ev/pass', avg(G.__passms.map((x: number[]) => x[1])), 'passes', G.__passms.length, 'rt', avg(G.__rt), G.__rt.length);
}
process.exit(0);
