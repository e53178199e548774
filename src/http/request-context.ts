import type { Request } from 'express';
import type { RequestContext } from '../audit/audit-event.js';

/** The request facts the audit log keeps: id, client IP and a bounded user agent. */
export function requestContext(req: Request): RequestContext {
  return {
    requestId: String(req.id),
    ip: req.ip,
    userAgent: req.get('user-agent')?.slice(0, 300),
  };
}
