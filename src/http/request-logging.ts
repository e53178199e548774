import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.js';

const slowRequestMs = 3000;

/**
 * Gives every request an id of our own (never the caller's: a request id in the audit log
 * must be one the server chose), sends it back as x-request-id, and logs one line per
 * request with method, path, status and time (a warning when it took over 3 s). Bodies
 * are never logged. An app's x-fapi-interaction-id is kept beside it
 * (open-banking/fapi-headers.ts).
 */
export function requestLogging(logger: Logger) {
  const startedAt = new WeakMap<ServerResponse, number>();
  return pinoHttp({
    logger,
    genReqId(_req: IncomingMessage, res: ServerResponse) {
      const id = randomUUID();
      res.setHeader('x-request-id', id);
      startedAt.set(res, performance.now());
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // A request slower than a few seconds is a warning: an operator looks at those.
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500
        ? 'error'
        : performance.now() - (startedAt.get(res) ?? performance.now()) > slowRequestMs
          ? 'warn'
          : 'info',
  });
}
