import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { CsrfError } from '../errors.js';

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
  }
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Synchronizer-token CSRF protection for the server-rendered pages: a random token is
 * kept in the session, rendered into every form as `_csrf`, and required on every
 * state-changing request. The session id is rotated at sign-in, and the token with it.
 */
export function csrfProtection(req: Request, res: Response, next: NextFunction) {
  const session = req.session;
  // Created only when a form is rendered, so anonymous page views do not create sessions.
  res.locals.csrfToken = () => (session.csrfToken ??= randomBytes(32).toString('base64url'));

  if (!unsafeMethods.has(req.method)) return next();
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
  if (typeof sent !== 'string' || !session.csrfToken || !sameToken(sent, session.csrfToken))
    throw new CsrfError();
  next();
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
