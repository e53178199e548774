import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config.js';
import { requestContext } from '../http/request-context.js';
import { findSessionUser, type SessionUser } from '../users/user.service.js';
import { checkCredentials } from './signin.service.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
  }
}

/**
 * One passport instance per app (tests build several apps in one process). Only the user
 * id goes into the session; the user is loaded fresh on each request so role changes
 * and deletions take effect at once.
 */
export type PassportInstance = InstanceType<typeof Passport>;

export function createPassport(config: Config, audit: AuditLog): PassportInstance {
  const passport = new Passport();
  const limits = {
    maxFailuresPerAccount: config.SIGNIN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerIp: config.SIGNIN_MAX_FAILURES_PER_IP,
    windowMinutes: config.SIGNIN_THROTTLE_WINDOW_MINUTES,
  };

  passport.use(
    new LocalStrategy({ usernameField: 'email', passReqToCallback: true }, (req, email, password, done) => {
      checkCredentials(email, password, { audit, request: requestContext(req), limits })
        .then((result) =>
          result.ok ? done(null, result.user) : done(null, false, { message: result.reason }),
        )
        .catch(done);
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id: string, done) => {
    findSessionUser(id)
      .then((user) => done(null, user ?? false))
      .catch(done);
  });
  return passport;
}
