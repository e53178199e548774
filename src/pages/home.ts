import { Router } from 'express';
import type { Role } from '../users/user.model.js';
import { anyone, requireRole } from '../http/require-role.js';

const homes: Record<Role, string> = {
  customer: '/my/accounts',
  compliance: '/compliance',
  admin: '/admin',
};

export function homePathFor(role: Role): string {
  return homes[role];
}

export function homeRoutes() {
  const router = Router();
  router.get('/', anyone, (req, res) => res.redirect(303, req.user ? homePathFor(req.user.role) : '/signin'));
  router.get('/admin', requireRole('admin'), (_req, res) =>
    res.render('staff/home.njk', { area: 'Administration', next: 'App registration will appear here.' }),
  );
  return router;
}
