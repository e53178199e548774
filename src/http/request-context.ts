import type { Request } from 'express';

/** Where a request came from; attached to the audit events written while serving it. */
export interface RequestContext {
  requestId?: string;
  /** The app's x-fapi-interaction-id (its own correlation id), when it sent one. */
  interactionId?: string;
  ip?: string;
  userAgent?: string;
}

/** The request facts the audit log keeps: our id, the app's interaction id, client IP and a bounded user agent. */
export function requestContext(req: Request): RequestContext {
  return {
    requestId: String(req.id),
    interactionId: req.res?.locals.interactionId,
    ip: req.ip,
    userAgent: req.get('user-agent')?.slice(0, 300),
  };
}
