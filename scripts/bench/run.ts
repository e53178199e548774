import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../src/paths.js';
import { throughputScenario, type ThroughputFigures } from './api-throughput.js';
import { recordingScenario } from './performance-recording.js';
import { appendScenario, type AppendFigures } from './audit-append.js';
import { latencyScenario } from './latency.js';
import { withinLimitTarget as withinTarget } from '../../src/performance/performance-report.js';
import { complianceScenario, type ComplianceFigures } from './compliance.js';

/**
 * npm run bench -- [--scenarios throughput,latency,audit-append,compliance,recording] [--sizes 10000,1000000]
 *                   [--growth 1000,100000,10000000] [--connections 50]
 * --sizes: audit events for the compliance scenario; --growth: transactions in the bank's
 * database for the throughput scenario (each size on its own fresh database).
 * Prints a table per scenario with each ratio next to its target, and writes the figures
 * as JSON under .bench/.
 */
const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'throughput,latency,audit-append,compliance,recording' },
    sizes: { type: 'string', default: '10000,1000000' },
    growth: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '50' },
  },
});
const scenarios = values.scenarios.split(',');
const sizes = values.sizes.split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 100))
  throw new Error('--sizes must be integers of at least 100');
const growth = values.growth.split(',').map(Number);
if (growth.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error('--growth must be positive integers (transactions in the database)');
const log = (line: string) => console.log(line);
const results: Record<string, unknown> = {
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  startedAt: new Date().toISOString(),
};

if (scenarios.includes('throughput')) {
  log('\nThroughput: requests per second, side by side');
  const rows: ThroughputFigures[] = [];
  for (const [i, transactions] of growth.entries()) {
    log(` ${transactions.toLocaleString('en-GB')} transactions in the database:`);
    rows.push(
      await throughputScenario({
        transactions,
        connections: Number(values.connections),
        authorisationFlows: i === 0,
        log,
      }),
    );
  }
  console.table(
    rows.map((r) => ({
      'transactions in db': r.transactionsInDatabase.toLocaleString('en-GB'),
      'baseline req/s': Math.round(r.baseline),
      'baseline + audit req/s': Math.round(r.baselineWithAudit),
      'full read req/s': Math.round(r.fullRead),
      'full read / baseline': (r.fullRead / r.baseline).toFixed(2),
      'full read vs smallest db': (r.fullRead / rows[0]!.fullRead).toFixed(2),
      'authorisation flows/s': r.authorisationFlowsPerSecond?.toFixed(1) ?? '',
    })),
  );
  const r = rows[0]!;
  console.table([
    {
      measure: `full read / baseline (${r.connections} connections)`,
      ratio: (r.fullRead / r.baseline).toFixed(2),
      target: '>= 0.8',
      met: r.fullRead / r.baseline >= 0.8,
    },
    {
      measure: 'baseline with audit / baseline',
      ratio: (r.baselineWithAudit / r.baseline).toFixed(2),
      target: '>= 0.8',
      met: r.baselineWithAudit / r.baseline >= 0.8,
    },
    {
      measure: 'authorisation flows per second',
      ratio: r.authorisationFlowsPerSecond!.toFixed(1),
      target: '>= 100',
      met: r.authorisationFlowsPerSecond! >= 100,
    },
  ]);
  results.throughput = rows;
}

if (scenarios.includes('recording')) {
  log('\nPerformance report: the cost of counting one call');
  const r = recordingScenario();
  console.table([
    {
      measure: `counting a call (${r.calls.toLocaleString('en-GB')} calls, no database)`,
      'µs per call': (r.nsPerCall / 1000).toFixed(2),
      target: '<= 5 µs',
      met: r.nsPerCall <= 5000,
    },
  ]);
  results.recording = r;
}

if (scenarios.includes('audit-append')) {
  log('\nAudit append: 1, 2, 4 and 8 writers (as server processes) on one chain, 50 callers each');
  const rows: AppendFigures[] = [];
  for (const writers of [1, 2, 4, 8]) rows.push(await appendScenario(writers, 50));
  const single = rows[0]!.eventsPerSecond;
  console.table(
    rows.map((r) => ({
      writers: r.writers,
      callers: r.concurrency,
      'events/s': Math.round(r.eventsPerSecond),
      'vs 1 writer': (r.eventsPerSecond / single).toFixed(2),
      'p50 ms': r.p50Ms.toFixed(1),
      'p99 ms': r.p99Ms.toFixed(1),
      failures: r.failures,
      target: '0 failures; 8 writers >= 1 writer',
      met: r.failures === 0 && (r.writers !== 8 || r.eventsPerSecond >= single),
    })),
  );
  results.auditAppend = rows;
}

if (scenarios.includes('latency')) {
  const apps = 50;
  log(`\nLatency per endpoint class: ${apps} apps reading at once, authorisations and revocations alongside`);
  const r = await latencyScenario({ apps, seconds: 20, authorisations: 5, log });
  console.table(
    r.classes.map((c) => ({
      class: c.endpointClass,
      calls: c.calls,
      'p50 ms': c.p50Ms ?? '',
      'p95 ms': c.p95Ms ?? '',
      'p99 ms': c.p99Ms ?? '',
      'CDR limit ms': c.limitMs ?? 'none',
      'within limit': c.withinLimit === undefined ? '' : `${(c.withinLimit * 100).toFixed(1)}%`,
      target: c.limitMs ? `>= ${withinTarget * 100}% within` : '',
      met: c.limitMs && c.calls > 0 ? c.withinLimit! >= withinTarget : '',
    })),
  );
  results.latency = r;
}

if (scenarios.includes('compliance')) {
  log('\nCompliance: filtered query and export at each size');
  const rows: ComplianceFigures[] = [];
  for (const size of sizes) {
    log(` ${size} events:`);
    rows.push(await complianceScenario(size, log));
  }
  console.table(
    rows.map((r) => ({
      events: r.events,
      'first page ms': r.firstPageMs.toFixed(1),
      'deep page ms': r.deepPageMs.toFixed(1),
      'customer page ms': `${r.customerPageMs.toFixed(1)} (${r.customerPageEvents} events)`,
      'time-range page ms': `${r.timeRangePageMs.toFixed(1)} (${r.timeRangePageEvents} events)`,
      'export s': (r.export.durationMs / 1000).toFixed(1),
      'export peak RSS MB': r.export.maxRssMb.toFixed(0),
      'export peak live heap MB': r.export.peakHeapMb.toFixed(0),
    })),
  );
  if (rows.length >= 2) {
    const [small, large] = [rows[0]!, rows.at(-1)!];
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    const query = Math.max(large.firstPageMs / small.firstPageMs, large.deepPageMs / small.deepPageMs);
    const memory = large.export.peakHeapMb / small.export.peakHeapMb;
    console.table([
      {
        measure: `filtered query time ${large.events}/${small.events}`,
        ratio: query.toFixed(2),
        target: '<= 2',
        met: query <= 2,
      },
      { measure: `  first page`, ratio: ratio(large.firstPageMs, small.firstPageMs), target: '', met: '' },
      { measure: `  deep page`, ratio: ratio(large.deepPageMs, small.deepPageMs), target: '', met: '' },
      {
        measure: `customer filter ${large.events}/${small.events}`,
        ratio: ratio(large.customerPageMs, small.customerPageMs),
        target: '<= 2',
        met: large.customerPageMs / small.customerPageMs <= 2,
      },
      {
        measure: `time range ${large.events}/${small.events}`,
        ratio: ratio(large.timeRangePageMs, small.timeRangePageMs),
        target: '<= 2',
        met: large.timeRangePageMs / small.timeRangePageMs <= 2,
      },
      {
        measure: `export peak live heap ${large.events}/${small.events}`,
        ratio: memory.toFixed(2),
        target: '<= 1.5',
        met: memory <= 1.5,
      },
      {
        measure: '  peak RSS',
        ratio: ratio(large.export.maxRssMb, small.export.maxRssMb),
        target: '',
        met: '',
      },
    ]);
  }
  // Exports and the verifier at disk speed: a million events in under a minute.
  console.table(
    rows.flatMap((r) =>
      [
        { measure: `export of ${r.events} events`, ...r.export },
        { measure: `verification of ${r.events} events`, ...r.verify },
      ].map(({ measure, events, durationMs }) => {
        const perSecond = events / (durationMs / 1000);
        return {
          measure,
          seconds: (durationMs / 1000).toFixed(1),
          'events/s': Math.round(perSecond),
          target: '>= 20,000',
          met: perSecond >= 20_000,
        };
      }),
    ),
  );
  results.compliance = rows;
}

const dir = join(projectRoot, '.bench');
await mkdir(dir, { recursive: true });
const file = join(dir, `bench-${new Date().toISOString().replaceAll(':', '-')}.json`);
await writeFile(file, JSON.stringify(results, null, 2));
log(`\nFigures written to ${file}`);
process.exit(0);
