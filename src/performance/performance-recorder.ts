import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger.js';
import { classOf } from './endpoint-class.js';
import { bucketOf } from './latency-histogram.js';
import { recordMinute, type ClassMinute } from './performance.repository.js';

const minuteMs = 60_000;

/**
 * Counts the developer interface's calls as they finish, per minute, endpoint class and
 * outcome, with a latency histogram, in memory; `flush` writes each finished minute as one
 * document (so the cost per call is a few additions, and a process that dies loses at most
 * the minute it was in). Each process writes its own minutes; reports add them up.
 */
export function performanceRecorder(options: { now?: () => Date; logger?: Logger } = {}) {
  const now = () => options.now?.() ?? new Date();
  const processId = randomUUID();
  const minutes = new Map<number, Map<string, ClassMinute>>();
  // A minute written early (at shutdown, or by a test) and counted into again gets a second document.
  let writes = 0;

  function count(cls: string, status: number, ms: number) {
    const minute = Math.floor(now().getTime() / minuteMs) * minuteMs;
    let classes = minutes.get(minute);
    if (!classes) minutes.set(minute, (classes = new Map()));
    let c = classes.get(cls);
    if (!c) classes.set(cls, (c = { ok: 0, clientError: 0, serverError: 0, latency: [] }));
    if (status >= 500) c.serverError += 1;
    else if (status >= 400) c.clientError += 1;
    else c.ok += 1;
    const bucket = bucketOf(ms);
    c.latency[bucket] = (c.latency[bucket] ?? 0) + 1;
  }

  function middleware(req: Request, res: Response, next: NextFunction) {
    const cls = classOf(req.method, req.path, Boolean(req.get('x-fapi-customer-ip-address')));
    if (!cls) return next();
    const started = performance.now();
    res.once('finish', () => count(cls, res.statusCode, performance.now() - started));
    res.once('close', () => {
      // A call cut before its answer finished counts as not answered properly.
      if (!res.writableFinished) count(cls, 500, performance.now() - started);
    });
    next();
  }

  /**
   * Documents taken out of the counting and not yet written, each with its id fixed when it
   * was taken out: a write retried after a failure that did store it is a duplicate, not a
   * second count of the same calls.
   */
  const pending = new Map<string, { minute: Date; classes: Map<string, ClassMinute> }>();

  /** Writes every finished minute (or every minute, at shutdown); a minute that fails to write is kept for the next try. */
  async function flush(everything = false): Promise<number> {
    const current = Math.floor(now().getTime() / minuteMs) * minuteMs;
    for (const [minute, classes] of [...minutes]) {
      if (!everything && minute >= current) continue;
      minutes.delete(minute);
      pending.set(`${new Date(minute).toISOString()}#${processId}#${(writes += 1)}`, {
        minute: new Date(minute),
        classes,
      });
    }
    let written = 0;
    for (const [id, { minute, classes }] of [...pending]) {
      try {
        await recordMinute({
          _id: id,
          minute,
          classes: Object.fromEntries(
            [...classes].map(([cls, c]) => [cls, { ...c, latency: Array.from(c.latency, (n) => n ?? 0) }]),
          ),
        });
        pending.delete(id);
        written += 1;
      } catch (err) {
        options.logger?.warn({ err, minute }, 'performance counts not written yet; kept for the next try');
      }
    }
    return written;
  }

  return { middleware, flush };
}

export type PerformanceRecorder = ReturnType<typeof performanceRecorder>;
