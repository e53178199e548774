import { UserModel } from '../users/user.model.js';
import { findUserForSignin, normaliseEmail, toSessionUser, type SessionUser } from '../users/user.service.js';
import { burnPasswordCheck, verifyPassword } from './password.js';
import {
  assertSigninAllowed,
  recordSigninFailure,
  recordSigninSuccess,
  type ThrottleLimits,
} from './signin-throttle.service.js';

export interface SigninContext {
  ip: string;
  limits: ThrottleLimits;
}

export type SigninResult = { ok: true; user: SessionUser } | { ok: false; reason: 'bad_credentials' };

/**
 * Checks an email and password. Throttled attempts are refused before the password is
 * looked at; unknown emails and wrong passwords get the same answer in the same time.
 */
export async function checkCredentials(
  email: string,
  password: string,
  context: SigninContext,
): Promise<SigninResult> {
  const normalised = normaliseEmail(email);
  await assertSigninAllowed(normalised, context.ip, context.limits);

  const user = await findUserForSignin(normalised);
  const valid = user
    ? await verifyPassword(user.passwordHash, password)
    : (await burnPasswordCheck(password), false);
  if (!user || !valid) {
    await recordSigninFailure(normalised, context.ip, context.limits);
    return { ok: false, reason: 'bad_credentials' };
  }

  await recordSigninSuccess(normalised, context.limits);
  await UserModel.updateOne({ _id: user._id }, { $set: { lastSignedInAt: new Date() } });
  return { ok: true, user: toSessionUser(user) };
}
