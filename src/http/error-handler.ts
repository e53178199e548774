import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { obBasePath } from '../open-banking/ob-api.js';
import { sendObError } from '../open-banking/ob-errors.js';
import {
  AppError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthenticatedError,
  ValidationError,
} from '../errors.js';

/**
 * The one error handler. It logs with the request id, hides the details of unexpected
 * failures, and answers in the form the route speaks, through one serialiser each: an OB
 * error body on the Open Banking API, a JSON body on the JSON routes, an HTML page
 * otherwise. Pages that need sign-in redirect to the sign-in page instead of a 401.
 */
export function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (req.path.startsWith(obBasePath)) return sendObError(error, req, res);
  const appError = toAppError(error);
  if (appError.status >= 500) req.log.error({ err: error }, 'request failed');
  else req.log.info({ code: appError.code, status: appError.status }, appError.message);

  if (appError instanceof TooManyRequestsError) res.set('Retry-After', String(appError.retryAfterSeconds));
  const message = appError.expose ? appError.message : 'Something went wrong on our side. Please try again.';

  if (wantsJson(req)) {
    res.status(appError.status).json({
      error: appError.code,
      message,
      ...(appError instanceof ValidationError
        ? { issues: appError.issues.map(({ field, message: text }) => ({ field, message: text })) }
        : {}),
      requestId: req.id,
    });
    return;
  }
  if (appError instanceof UnauthenticatedError && req.method === 'GET') {
    // No body: the address it was asked for goes back in the Location header only.
    res
      .status(303)
      .location(`/signin?next=${encodeURIComponent(req.originalUrl)}`)
      .end();
    return;
  }
  res.status(appError.status).render('errors/error.njk', {
    status: appError.status,
    title: titles[appError.status] ?? 'Something went wrong',
    message,
    requestId: req.id,
  });
}

export function notFound(req: Request, _res: Response, next: NextFunction) {
  next(new AppError(404, 'not_found', `There is no page at ${req.path}`));
}

const titles: Record<number, string> = {
  400: 'That request was not valid',
  401: 'Sign in to continue',
  403: 'You do not have access to this page',
  404: 'Page not found',
  409: 'That has already changed',
  413: 'That request was too large',
  421: 'Wrong address for this service',
  429: 'Too many attempts',
  503: 'Temporarily unavailable',
};

const bodyErrors: Record<string, string> = {
  'entity.too.large': 'The request body is too large',
  'parameters.too.many': 'The form has too many fields',
  'entity.parse.failed': 'The request body is not valid JSON',
};

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailable(error);
  // Errors raised by Express's own body parsers carry a status and an exposable message.
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (error as { type?: string }).type;
    const message = (type && bodyErrors[type]) ?? 'The request body could not be read';
    return new AppError(status, type ?? 'bad_request', message);
  }
  return new AppError(500, 'internal_error', 'Internal error', { expose: false, cause: error });
}

/** A 503 for a database that cannot be reached: the request may be tried again shortly. */
function databaseUnavailable(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'The service is temporarily unavailable. Please try again in a moment.',
    cause,
  );
}

function wantsJson(req: Request): boolean {
  if (req.path.startsWith('/api/')) return true;
  return req.accepts(['html', 'json']) === 'json';
}
