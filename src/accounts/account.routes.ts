import { Router } from 'express';
import { requireRole } from '../http/require-role.js';
import { noStore } from '../http/no-store.js';
import { listAccountsWithBalances } from './account.service.js';

export function accountPageRoutes() {
  const router = Router();
  router.get('/my/accounts', requireRole('customer'), noStore, async (req, res) => {
    const accounts = await listAccountsWithBalances(req.user!.customerId ?? '');
    res.render('accounts/list.njk', { accounts });
  });
  return router;
}
