import { Router } from 'express';
import { z } from 'zod';
import { listAccountsWithBalances } from '../accounts/account.service.js';
import { type ConsentDeps } from '../consents/consent.service.js';
import {
  cancelRequestByCustomer,
  removeAccountFromConsent,
  revokeConsentByCustomer,
} from '../consents/consent-customer.service.js';
import { NotFoundError } from '../errors.js';
import { timeZoneOf } from '../http/current-user.js';
import { endedConnectionSentence } from '../sharing/ended-connection-words.js';
import { flash } from '../http/flash.js';
import { noStore } from '../http/no-store.js';
import { requestContext } from '../http/request-context.js';
import { requireRole } from '../http/require-role.js';
import { timeInWords } from '../http/time-words.js';
import { parse } from '../http/validate.js';
import { describeRead, refusalInWords } from './access-words.js';
import {
  accessHistory,
  connectedApp,
  connectedApps,
  namesAfterChange,
  tabs,
  type Tab,
} from './dashboard.service.js';
import { othersConnections, sharedAccountsOf } from '../sharing/sharing-views.service.js';
import { standingOnConnection } from '../sharing/connection-standing.service.js';
import { noticesFor } from './notices.service.js';
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

/** Whether the app sees the account (or will once the other holders approve): not when they took it off. */
function stillSeen(standing: Awaited<ReturnType<typeof standingOnConnection>>, accountId: string) {
  return !['stopped', 'lapsed'].includes(standing[accountId]?.stage ?? '');
}

/** The customer's connected apps: what each may see, what it has looked at, and taking access back. */
export function dashboardRoutes(
  deps: ConsentDeps,
  receipts: { issuer: string; signingJwk: Record<string, unknown> },
) {
  const router = Router();
  router.use('/my', noStore);
  const ownApp = (req: Parameters<typeof timeZoneOf>[0], consentId: string) =>
    connectedApp(deps, req.user!.customerId!, consentId, timeZoneOf(req));

  router.get('/my/apps', customer, async (req, res) => {
    const { tab } = parse(TabQuery, req.query);
    const customerId = req.user!.customerId!;
    const [{ apps, counts }, shared] = await Promise.all([
      connectedApps(deps, customerId, tab, timeZoneOf(req)),
      sharedAccountsOf(customerId, deps.now?.() ?? new Date()),
    ]);
    // Connections others made to accounts she holds with them: the live ones (which she can
    // approve or stop) beside her own, and on the Ended tab those that ended, saying how.
    const others = await othersConnections(deps, customerId, shared);
    const live = (c: (typeof others)[number]) => c.stage === 'waiting' || c.stage === 'shared';
    const liveFromOthers = others.filter(live);
    const fromOthers = tab === 'ended' ? [] : liveFromOthers;
    const endedFromOthers =
      tab === 'ended'
        ? others
            .filter((c) => !live(c))
            .map((c) => ({ ...c, sentence: endedConnectionSentence(c, customerId, timeZoneOf(req)) }))
        : [];
    // Each tab counts what it lists: the live connections others made are on both open tabs.
    const listed = {
      active: counts.active + liveFromOthers.length,
      pending: counts.pending + liveFromOthers.length,
      ended: counts.ended + others.length - liveFromOthers.length,
    };
    res.render('dashboard/apps.njk', { apps, counts: listed, tab, fromOthers, endedFromOthers });
  });

  router.get('/my/notices', customer, async (req, res) => {
    const notices = await noticesFor(deps, req.user!.customerId!, timeZoneOf(req));
    res.render('dashboard/notices.njk', { notices });
  });

  router.get('/my/apps/:consentId', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    const { before } = parse(HistoryQuery, req.query);
    const app = await ownApp(req, consentId);
    const [history, standing] = await Promise.all([
      accessHistory(consentId, before),
      standingOnConnection(deps, req.user!.customerId!, app.consent),
    ]);
    // Label the customer's own accounts the history mentions, including any no longer shared.
    // Anything else came from an app's request path and is never shown as written: an app
    // must not be able to write text onto the customer's page, or name other people's accounts.
    const labels = Object.fromEntries(
      (await listAccountsWithBalances(req.user!.customerId!)).map((a) => [a.accountId, a.label]),
    );
    const unseen = app.accounts.filter((a) => !stillSeen(standing, a.accountId));
    const stoppable = app.accounts.length - unseen.length > 1;
    res.render('dashboard/app.njk', {
      app,
      history,
      labels,
      standing,
      unseen: unseen.map((a) => a.accountId),
      stoppable,
      describeRead,
      refusalInWords,
    });
  });

  router.get('/my/apps/:consentId/receipt', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    const app = await ownApp(req, consentId);
    const receipt = await buildReceipt(app, receipts.issuer);
    res.render('dashboard/receipt.njk', { receipt, story: app.story, customerName: req.user!.name });
  });

  router.get('/my/apps/:consentId/receipt.json', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    const receipt = await buildReceipt(await ownApp(req, consentId), receipts.issuer);
    res.set('Content-Disposition', `attachment; filename="consent-receipt-${consentId}.json"`).json({
      receipt,
      jws: await signReceipt(receipt, receipts.signingJwk),
      keys: `${receipts.issuer}/.well-known/receipt-keys.json`,
    });
  });

  router.get('/my/apps/:consentId/revoke', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    res.render('dashboard/revoke.njk', { app: await ownApp(req, consentId) });
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
    const app = await namesAfterChange(revoked.clientId);
    flash(
      req,
      'success',
      `You revoked access on ${timeInWords(revoked.statusUpdateDateTime, timeZoneOf(req))}. The app can no longer see your data${
        app.appNotified ? ', and we have asked it to delete what it already holds.' : '.'
      }`,
    );
    res.redirect(303, `/my/apps/${consentId}`);
  });

  router.get('/my/apps/:consentId/cancel', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    res.render('dashboard/cancel-request.njk', { app: await ownApp(req, consentId) });
  });

  router.post('/my/apps/:consentId/cancel', customer, async (req, res) => {
    const { consentId } = parse(ConsentParam, req.params);
    parse(Confirm, req.body);
    await cancelRequestByCustomer(deps, req.user!.customerId!, consentId, requestContext(req));
    flash(req, 'success', 'You declined the request. The app cannot see any of your data.');
    res.redirect(303, `/my/apps/${consentId}`);
  });

  router.get('/my/apps/:consentId/accounts/:accountId/remove', customer, async (req, res) => {
    const { consentId, accountId } = parse(AccountParam, req.params);
    const app = await ownApp(req, consentId);
    const account = app.accounts.find((a) => a.accountId === accountId);
    if (!account) throw new NotFoundError('That account is not shared with this app');
    const standing = await standingOnConnection(deps, req.user!.customerId!, app.consent);
    const others = app.accounts.filter((a) => a.accountId !== accountId && stillSeen(standing, a.accountId));
    // The last account the app sees cannot be taken out on its own: that is revoking access.
    if (others.length === 0) return res.redirect(303, `/my/apps/${consentId}/revoke`);
    res.render('dashboard/remove-account.njk', { app, account, others });
  });

  router.post('/my/apps/:consentId/accounts/:accountId/remove', customer, async (req, res) => {
    const { consentId, accountId } = parse(AccountParam, req.params);
    parse(Confirm, req.body);
    const changed = await removeAccountFromConsent(
      deps,
      req.user!.customerId!,
      consentId,
      accountId,
      requestContext(req),
    );
    const names = await namesAfterChange(changed.clientId, accountId);
    flash(
      req,
      'success',
      `${names.accountLabel} is no longer shared with ${names.appName}. ${changed.accountIds?.length === 1 ? 'The other account still is.' : 'The other accounts still are.'}`,
    );
    res.redirect(303, `/my/apps/${consentId}`);
  });

  return router;
}
