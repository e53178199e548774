import { Router } from 'express';
import type { Role } from '../users/user.model.js';
import { anyone } from '../http/require-role.js';

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
  return router;
}
