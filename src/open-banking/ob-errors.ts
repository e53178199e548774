import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { AppError, ValidationError } from '../errors.js';

/**
 * Error codes in OB error bodies. OB v4 requires 4-character codes and leaves the list
 * to its external code set; these are this bank's, published in the README and the
 * OpenAPI document so apps can act on them.
 */
export const obErrorCodes = {
  fieldMissing: 'U001',
  fieldInvalid: 'U002',
  fieldInvalidDate: 'U003',
  fieldUnexpected: 'U004',
  headerMissing: 'U005',
  headerInvalid: 'U006',
  resourceNotFound: 'U007',
  permissionNotGranted: 'U008',
  invalidConsentStatus: 'U009',
  unsupportedPermission: 'U010',
  tokenInvalid: 'U011',
  unattendedLimit: 'U012',
  invalidFormat: 'U013',
  unavailable: 'U014',
  accountNotInConsent: 'U015',
  outsideTransactionWindow: 'U016',
  appSuspended: 'U017',
  rateLimited: 'U018',
  accountNotAuthorised: 'U019',
} as const;

export interface ObErrorDetail {
  ErrorCode: string;
  Message: string;
  Path?: string;
}

/** An error answered with an OB error body. */
export class ObError extends AppError {
  constructor(
    status: number,
    readonly errors: ObErrorDetail[],
    options: { wwwAuthenticate?: string; code?: string } = {},
  ) {
    super(
      status,
      options.code ?? errors[0]?.ErrorCode ?? 'ob_error',
      errors.map((e) => e.Message).join('; '),
    );
    this.wwwAuthenticate = options.wwwAuthenticate;
  }
  readonly wwwAuthenticate: string | undefined;
}

const statusText: Record<number, string> = {
  400: '400 BadRequest',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 NotFound',
  405: '405 MethodNotAllowed',
  406: '406 NotAcceptable',
  409: '409 Conflict',
  413: '413 PayloadTooLarge',
  415: '415 UnsupportedMediaType',
  421: '421 MisdirectedRequest',
  429: '429 TooManyRequests',
  500: '500 InternalServerError',
  503: '503 ServiceUnavailable',
};

/** The OB API's serialiser for the one error handler (http/error-handler.ts): any error as an OB error body. */
export function sendObError(error: unknown, req: Request, res: Response) {
  const details = toObDetails(error);
  const status = details.status;
  if (status >= 500) req.log.error({ err: error }, 'open banking request failed');
  else
    req.log.info({ status, codes: details.errors.map((e) => e.ErrorCode) }, 'open banking request refused');
  if (error instanceof ObError && error.wwwAuthenticate) {
    // Header values must be plain ASCII.
    res.set('WWW-Authenticate', error.wwwAuthenticate.replace(/[^\x20-\x7e]/g, '?'));
  }
  if (status === 429 && error instanceof AppError && 'retryAfterSeconds' in error) {
    res.set('Retry-After', String((error as { retryAfterSeconds: number }).retryAfterSeconds));
  }
  res.status(status).json({
    Code: statusText[status] ?? String(status),
    Id: String(req.id).slice(0, 40),
    Message: status >= 500 ? 'The request could not be completed' : details.errors[0]!.Message.slice(0, 500),
    Errors: details.errors.map((e) => ({ ...e, Message: e.Message.slice(0, 500) })),
  });
}

function toObDetails(error: unknown): { status: number; errors: ObErrorDetail[] } {
  if (error instanceof ObError) return { status: error.status, errors: error.errors };
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      errors: [{ ErrorCode: obErrorCodes.unavailable, Message: 'The service is temporarily unavailable' }],
    };
  }
  if (error instanceof ValidationError) {
    return {
      status: 400,
      errors: error.issues.map((issue) => ({
        ErrorCode:
          issue.kind === 'unexpected'
            ? obErrorCodes.fieldUnexpected
            : issue.kind === 'missing'
              ? obErrorCodes.fieldMissing
              : obErrorCodes.fieldInvalid,
        Message: `${issue.field}: ${issue.message}`,
        Path: issue.field,
      })),
    };
  }
  if (error instanceof AppError) {
    const code =
      error.status === 404
        ? obErrorCodes.resourceNotFound
        : error.status === 409
          ? obErrorCodes.invalidConsentStatus
          : error.status === 503
            ? obErrorCodes.unavailable
            : error.status === 429
              ? obErrorCodes.unattendedLimit
              : obErrorCodes.fieldInvalid;
    return {
      status: error.status,
      errors: [{ ErrorCode: code, Message: error.expose ? error.message : 'Internal error' }],
    };
  }
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const tooLarge = (error as { type?: string }).type === 'entity.too.large';
    return {
      status,
      errors: [
        {
          ErrorCode: obErrorCodes.invalidFormat,
          Message: tooLarge ? 'The request body is too large' : 'The request body is not valid JSON',
        },
      ],
    };
  }
  return { status: 500, errors: [{ ErrorCode: obErrorCodes.unavailable, Message: 'Internal error' }] };
}
