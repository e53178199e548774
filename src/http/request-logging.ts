import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.js';

const safeRequestId = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Gives every request an id (the caller's x-request-id or x-fapi-interaction-id when
 * well-formed, a new UUID otherwise), echoes it back, and logs one line per request
 * with method, path, status and time. Bodies are never logged.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const offered = req.headers['x-fapi-interaction-id'] ?? req.headers['x-request-id'];
      const id = typeof offered === 'string' && safeRequestId.test(offered) ? offered : randomUUID();
      res.setHeader('x-request-id', id);
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
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
  });
}
