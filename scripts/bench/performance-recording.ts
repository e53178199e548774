import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { performanceRecorder } from '../../src/performance/performance-recorder.js';

/**
 * What counting a call for the performance report costs: the recorder's middleware run on
 * `calls` calls of the data API (classifying, timing, counting into the minute's
 * histogram), with requests and responses stood in by plain objects. No database: the
 * minute's document is written once a minute, not per call.
 */
export function recordingScenario(calls = 1_000_000): { calls: number; nsPerCall: number } {
  const recorder = performanceRecorder();
  const req = {
    method: 'GET',
    path: '/open-banking/v4.0/aisp/accounts',
    get: (name: string) => (name === 'x-fapi-customer-ip-address' ? '198.51.100.7' : undefined),
  } as unknown as Request;
  const next: NextFunction = () => undefined;
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const res = Object.assign(new EventEmitter(), { statusCode: 200, writableFinished: true });
    recorder.middleware(req, res as unknown as Response, next);
    res.emit('finish');
    res.emit('close');
  }
  const ns = Number(process.hrtime.bigint() - started);
  return { calls, nsPerCall: ns / calls };
}
