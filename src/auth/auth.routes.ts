import { showFormAgain } from '../http/form-errors.js';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { anyone, requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';
import { homePathFor } from '../pages/home.js';
import { SignoutForm, SigninForm, safeNextPath } from './auth.schemas.js';
import type { PassportInstance } from './passport.js';
import type { AuditLog } from '../audit/audit-log.js';
import { requestContext } from '../http/request-context.js';
import { actorOf } from './signin.service.js';

export function authRoutes(passport: PassportInstance, audit: AuditLog) {
  const router = Router();

  router.get('/signin', anyone, (req, res) => {
    if (req.user) return res.redirect(303, homePathFor(req.user.role));
    res.render('auth/signin.njk', { next: safeNextPath(String(req.query.next ?? '')), values: {} });
  });

  router.post('/signin', anyone, async (req, res, next) => {
    const form = SigninForm.safeParse(req.body);
    const values = { email: typeof req.body?.email === 'string' ? req.body.email : '' };
    const nextPath = safeNextPath(typeof req.body?.next === 'string' ? req.body.next : undefined);
    if (!form.success) {
      return showFormAgain(res, 'auth/signin.njk', form.error, { values, next: nextPath });
    }

    const user = await authenticate(passport, req, res, next);
    if (!user) {
      return res.status(401).render('auth/signin.njk', {
        formError: 'Email or password is incorrect.',
        values,
        next: nextPath,
      });
    }
    // req.login regenerates the session, so a session id fixed before sign-in is worthless.
    await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
    res.redirect(303, nextPath ?? homePathFor(user.role));
  });

  router.post('/signout', requireRole('customer', 'compliance', 'admin'), async (req, res) => {
    parse(SignoutForm, req.body);
    const user = req.user!;
    await audit.record({
      action: 'auth.signed_out',
      actor: actorOf(user),
      outcome: 'success',
      customerId: user.customerId,
      context: requestContext(req),
    });
    await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
    res.redirect(303, '/signin');
  });

  return router;
}

function authenticate(passport: PassportInstance, req: Request, res: Response, next: NextFunction) {
  return new Promise<Express.User | false>((resolve, reject) => {
    passport.authenticate('local', { session: false }, (err: unknown, user: Express.User | false) =>
      err ? reject(err) : resolve(user),
    )(req, res, next);
  });
}
