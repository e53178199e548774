import type { RequestContext } from '../http/request-context.js';
import type { AuditLog } from '../audit/audit-log.js';
import { TooManyRequestsError } from '../errors.js';
import { markSignedIn } from '../users/user.repository.js';
import { findUserForSignin, normaliseEmail, toSessionUser, type SessionUser } from '../users/user.service.js';
import { burnPasswordCheck, verifyPassword } from './password.js';
import { reserveSigninAttempt, type SigninAttempt, type ThrottleLimits } from './signin-throttle.service.js';

export interface SigninContext {
  audit: AuditLog;
  request: RequestContext;
  limits: ThrottleLimits;
}

export type SigninResult = { ok: true; user: SessionUser } | { ok: false; reason: 'bad_credentials' };

/**
 * Checks an email and password, and records the attempt in the audit log either way.
 * Each attempt is counted, and throttled ones refused, before the password is looked at; unknown emails and
 * wrong passwords get the same answer in the same time.
 */
export async function checkCredentials(
  email: string,
  password: string,
  context: SigninContext,
): Promise<SigninResult> {
  const normalised = normaliseEmail(email);
  const ip = context.request.ip ?? 'unknown';
  const failed = (reason: string, customerId?: string) =>
    context.audit.record({
      action: 'auth.sign_in_failed',
      actor: { type: 'anonymous', id: normalised },
      outcome: 'failure',
      reason,
      customerId,
      context: context.request,
    });

  let attempt: SigninAttempt;
  try {
    attempt = await reserveSigninAttempt(normalised, ip, context.limits);
  } catch (error) {
    if (error instanceof TooManyRequestsError) await failed('throttled');
    throw error;
  }

  const user = await findUserForSignin(normalised);
  const valid = user
    ? await verifyPassword(user.passwordHash, password)
    : (await burnPasswordCheck(password), false);
  if (!user || !valid) {
    await failed(user ? 'wrong_password' : 'unknown_email', user?.customerId ?? undefined);
    return { ok: false, reason: 'bad_credentials' };
  }

  await attempt.succeeded();
  await markSignedIn(user._id);
  const sessionUser = toSessionUser(user);
  await context.audit.record({
    action: 'auth.signed_in',
    actor: actorOf(sessionUser),
    outcome: 'success',
    customerId: sessionUser.customerId,
    context: context.request,
  });
  return { ok: true, user: sessionUser };
}

export function actorOf(user: SessionUser) {
  return { type: user.role === 'customer' ? ('customer' as const) : ('staff' as const), id: user.id };
}
