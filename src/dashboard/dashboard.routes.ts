import { Router } from 'express';
import { z } from 'zod';
import { listAccountsWithBalances } from '../accounts/account.service.js';
import { type ConsentDeps } from '../consents/consent.service.js';
import { removeAccountFromConsent, revokeConsentByCustomer } from '../consents/consent-customer.service.js';
import { flash } from '../http/flash.js';
import { noStore } from '../http/no-store.js';
import { requestContext } from '../http/request-context.js';
import { requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';
import { views } from '../http/views-formatting.js';
import { accessHistory, connectedApp, connectedApps, tabs, type Tab } from './dashboard.service.js';
import { buildReceipt, signReceipt } from './receipt.service.js';

const customer = requireRole('customer');
const TabQuery = z.strictObject({ tab: z.enum(Object.keys(tabs) as [Tab, ...Tab[]]).default('active') });
const ConsentParam = z.strictObject({
  consentId: z.string().regex(/^aac-[0-9a-f-]{36}$/, 'is not a consent id'),
});
const AccountParam = ConsentParam.extend({
  accountId: z
    .string()
    .max(40)
    .regex(/^[A-Za-z0-9._-]+$/),
});
const HistoryQuery = z.strictObject({ before: z.coerce.number().int().positive().optional() });
const Confirm = z.strictObject({ _csrf: z.string() });

/** The customer's connected apps: what each may see, what it has looked at, and taking access back. */
export function dashboardRoutes(
  deps: ConsentDeps,
  receipts: { issuer: string; signingJwk: Record<string, unknown> },
) {
  const router = Router();
  router.use('/my', noStore);

  router.get('/my/apps', customer, async (req, res) => {
    const { tab } = parse(TabQuery, req.query);
    const { apps, counts } = await connectedApps(deps, req.user!.customerId!, tab);
    res.render('dashboard/apps.njk', { apps, counts, tab });
  });

  router.get('/my/apps/:consentId', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    const { before } = parse(HistoryQuery, req.query);
    const app = await connectedApp(deps, req.user!.customerId!, consentId);
    const history = await accessHistory(consentId, before);
    // Label the customer's own accounts the history mentions, including any no longer shared.
    // Anything else came from an app's request path and is never shown as written: an app
    // must not be able to write text onto the customer's page, or name other people's accounts.
    const labels = Object.fromEntries(
      (await listAccountsWithBalances(req.user!.customerId!)).map((a) => [
        a.accountId,
        `${a.nickname ?? a.name} (${a.identification})`,
      ]),
    );
    res.render('dashboard/app.njk', { app, history, labels, describeResource: views.describeResource });
  });

  router.get('/my/apps/:consentId/receipt', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    const receipt = await buildReceipt(
      await connectedApp(deps, req.user!.customerId!, consentId),
      receipts.issuer,
    );
    res.render('dashboard/receipt.njk', { receipt });
  });

  router.get('/my/apps/:consentId/receipt.json', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    const receipt = await buildReceipt(
      await connectedApp(deps, req.user!.customerId!, consentId),
      receipts.issuer,
    );
    res.set('Content-Disposition', `attachment; filename="consent-receipt-${consentId}.json"`).json({
      receipt,
      jws: await signReceipt(receipt, receipts.signingJwk),
      keys: `${receipts.issuer}/.well-known/receipt-keys.json`,
    });
  });

  router.get('/my/apps/:consentId/revoke', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    res.render('dashboard/revoke.njk', { app: await connectedApp(deps, req.user!.customerId!, consentId) });
  });

  router.post('/my/apps/:consentId/revoke', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    parse(Confirm, req.body);
    const revoked = await revokeConsentByCustomer(
      deps,
      req.user!.customerId!,
      consentId,
      requestContext(req),
    );
    flash(
      req,
      'success',
      `Access revoked at ${views.time(revoked.statusUpdateDateTime)}. The app can no longer see your data.`,
    );
    res.redirect(303, `/my/apps/${consentId}`);
  });

  router.post('/my/apps/:consentId/accounts/:accountId/remove', customer, async (req, res) => {
    const { consentId, accountId } = parse(AccountParam, req.params);
    parse(Confirm, req.body);
    await removeAccountFromConsent(deps, req.user!.customerId!, consentId, accountId, requestContext(req));
    flash(req, 'success', 'That account is no longer shared with the app. The other accounts still are.');
    res.redirect(303, `/my/apps/${consentId}`);
  });

  return router;
}
