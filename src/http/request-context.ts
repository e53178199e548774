import type { Request } from 'express';
import type { RequestContext } from '../audit/audit-event.js';

/** The request facts the audit log keeps: our id, the app's interaction id, client IP and a bounded user agent. */
export function requestContext(req: Request): RequestContext {
  return {
    requestId: String(req.id),
    interactionId: req.res?.locals.interactionId,
    ip: req.ip,
    userAgent: req.get('user-agent')?.slice(0, 300),
  };
}
