/**
 * One error class per kind of failure. `expose` says whether the message may be shown
 * to the client; 5xx errors never expose their details.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { expose?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.details = options.details;
  }
}

export interface FieldIssue {
  field: string;
  message: string;
  /** What is wrong, for APIs that answer with a code per kind (the OB API); never read from the message. */
  kind?: 'missing' | 'unexpected' | 'invalid';
}

export class ValidationError extends AppError {
  constructor(readonly issues: FieldIssue[]) {
    super(400, 'invalid_request', issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
      details: { issues },
    });
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super(404, 'not_found', message);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in to continue') {
    super(401, 'unauthenticated', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have access to this page') {
    super(403, 'forbidden', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'too_many_requests', message);
  }
}

export class CsrfError extends AppError {
  constructor() {
    super(
      403,
      'csrf_invalid',
      'This form has expired or was not sent from this site. Reload the page and try again.',
    );
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'Service temporarily unavailable', cause?: unknown) {
    super(503, 'service_unavailable', message, { expose: true, cause });
  }
}
