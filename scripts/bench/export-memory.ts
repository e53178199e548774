import { Writable } from 'node:stream';
import mongoose from 'mongoose';
import { databaseName } from '../../src/db/database.js';
import { auditKeysFromPem } from '../../src/audit/audit-keys.js';
import { writeJsonLinesExport } from '../../src/compliance/audit-export.js';

/**
 * Runs one export of the whole audit log into a sink that discards it, in its own
 * process so that its peak memory is the export's alone. Prints one JSON line.
 */
const uri = process.argv[2]!;
const keys = auditKeysFromPem(process.env.BENCH_AUDIT_KEY!);
await mongoose.connect(uri, { dbName: databaseName, autoIndex: false });
// Live memory: collect garbage before each sample, so the figure is what the export holds, not what V8 has yet to free.
const gc = (globalThis as { gc?: () => void }).gc!;
let peakHeap = 0;
const sampler = setInterval(() => {
  gc();
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 250);
let bytes = 0;
const sink = new Writable({
  highWaterMark: 64 * 1024,
  write(chunk: Buffer, _encoding, callback) {
    bytes += chunk.length;
    setImmediate(callback);
  },
});
const start = performance.now();
const events = await writeJsonLinesExport(sink, {}, keys);
const durationMs = performance.now() - start;
clearInterval(sampler);
console.log(
  JSON.stringify({
    events,
    bytes,
    durationMs,
    peakHeapMb: peakHeap / 2 ** 20,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
await mongoose.disconnect();
