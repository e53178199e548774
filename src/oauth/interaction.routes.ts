import { showFormAgain } from '../http/form-errors.js';
import { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { accountIdsOfCustomer, accountOpenings } from '../accounts/account.repository.js';
import { listAccountsWithBalances } from '../accounts/account.service.js';
import { getApp } from '../apps/app.service.js';
import { currentConsent, type ConsentDeps } from '../consents/consent.service.js';
import { dataClusters } from '../consents/data-clusters.js';
import { openConsentForCustomer, rejectConsent } from '../consents/consent-customer.service.js';
import { AppError, ConflictError, ForbiddenError } from '../errors.js';
import { noStore } from '../http/no-store.js';
import { requestContext } from '../http/request-context.js';
import { anyone } from '../http/require-role.js';
import { previewForCustomer } from '../data-api/data-preview.service.js';
import { consentScreenNotes, notShareable, sharedAccountsOf } from '../sharing/sharing-views.service.js';
import { grantConsent } from './consent-grant.service.js';
import { requestedConsentId } from './oidc-provider.js';

/** Refusals of sharing an account another holder decided since the screen was shown (sharing-rules.ts). */
const sharingRefusals = ['joint_no_sharing', 'no_instruction', 'not_holder'];

const Decision = z.strictObject({
  _csrf: z.string(),
  decision: z.enum(['approve', 'deny']),
  accountIds: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value])),
});

/**
 * The consent screen, where oidc-provider hands over the customer: sign in if needed, see
 * exactly what the app asks for, pick accounts, approve or deny. The decision is the
 * consent's status change; the grant the tokens will carry is created for it.
 */
export function interactionRoutes(provider: Provider, deps: ConsentDeps) {
  const router = Router();
  router.use('/oauth/interaction', noStore);

  // Anyone may arrive here from an app; the handler sends people who are not signed in to sign in first.
  router.get('/oauth/interaction/:uid', anyone, async (req, res) => {
    const request = await loadRequest(provider, deps, req, res);
    if (!request) return;
    // Opening the screen makes the customer the consent's owner (no one else may then decide it).
    await openConsentForCustomer(deps, request.customerId, request.consent);
    res.render('consents/consent-screen.njk', {
      ...(await screenFor(deps, request)),
      values: { accountIds: [] },
    });
  });

  // "See exactly what the app will get": her own data as the app would receive it, audited.
  router.get('/oauth/interaction/:uid/preview', anyone, async (req, res) => {
    const request = await loadRequest(provider, deps, req, res);
    if (!request) return;
    const { customerId, consent } = request;
    await openConsentForCustomer(deps, customerId, consent);
    const [app, accountIds] = await Promise.all([getApp(consent.clientId), accountIdsOfCustomer(customerId)]);
    const previews = await previewForCustomer(
      deps.audit,
      consent,
      customerId,
      accountIds,
      requestContext(req),
      deps.now?.() ?? new Date(),
    );
    res.render('consents/preview.njk', { uid: request.uid, app, previews });
  });

  router.post('/oauth/interaction/:uid', anyone, async (req, res) => {
    const request = await loadRequest(provider, deps, req, res);
    if (!request) return;
    const { customerId, consent } = request;
    // Only the customer who opened the screen may decide, and nothing is written before that is checked.
    await openConsentForCustomer(deps, customerId, consent);
    const form = Decision.safeParse(req.body);
    const [ownedIds, shared] = await Promise.all([
      accountIdsOfCustomer(customerId),
      sharedAccountsOf(customerId, deps.now?.() ?? new Date()),
    ]);
    const owned = new Set(ownedIds);
    const chosen = form.success ? form.data.accountIds : [];
    // An account whose other holders have not allowed sharing cannot be chosen (its box is disabled).
    const notAllowed = new Set(notShareable(customerId, shared));
    const barred = chosen.filter((id) => notAllowed.has(id));
    if (
      !form.success ||
      (form.data.decision === 'approve' &&
        (chosen.length === 0 || chosen.some((id) => !owned.has(id)) || barred.length > 0))
    ) {
      const problems = !form.success
        ? form.error
        : barred.length > 0
          ? { accountIds: 'You cannot share an account whose other holders have not allowed it; untick it' }
          : { accountIds: 'Choose at least one of your accounts to share, or deny the request' };
      return showFormAgain(res, 'consents/consent-screen.njk', problems, {
        ...(await screenFor(deps, request)),
        values: { accountIds: chosen },
      });
    }

    const context = requestContext(req);
    if (form.data.decision === 'deny') {
      await rejectConsent(deps, customerId, consent, context);
      return finish(provider, req, res, {
        error: 'access_denied',
        error_description: 'The customer declined the request',
      });
    }

    let grantId: string;
    try {
      grantId = await grantConsent(provider, deps, { customerId, consent, accountIds: chosen, context });
    } catch (error) {
      // Another holder made a chosen account unshareable since the screen was shown: ask again.
      if (error instanceof ConflictError && sharingRefusals.includes(error.code)) {
        return showFormAgain(
          res,
          'consents/consent-screen.njk',
          { accountIds: `${error.message}. Untick it, or deny the request.` },
          { ...(await screenFor(deps, request)), values: { accountIds: chosen } },
        );
      }
      if (error instanceof ConflictError) {
        return finish(provider, req, res, {
          error: 'access_denied',
          error_description: 'This request was already decided',
        });
      }
      throw error;
    }
    await finish(provider, req, res, { login: { accountId: customerId }, consent: { grantId } });
  });

  return router;
}

/**
 * The interaction and the consent it names, once checked: the customer is signed in, and
 * the consent is this app's and still awaiting authorisation. Otherwise the customer is
 * sent to sign in, or back to the app with access_denied, and nothing is returned.
 */
async function loadRequest(provider: Provider, deps: ConsentDeps, req: Request, res: Response) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    throw new AppError(
      400,
      'interaction_expired',
      'This sign-in link has expired. Return to the app and start again.',
    );
  }
  if (!req.user) {
    res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
    return undefined;
  }
  if (req.user.role !== 'customer' || !req.user.customerId)
    throw new ForbiddenError('Only bank customers can approve access to accounts');

  const consentId = requestedConsentId(details.params.claims as string | undefined);
  const consent = consentId ? await currentConsent(deps, consentId) : undefined;
  if (!consent || consent.clientId !== details.params.client_id) {
    await finish(provider, req, res, {
      error: 'access_denied',
      error_description: 'The request names no consent of this app',
    });
    return undefined;
  }
  if (consent.status !== 'AWAU') {
    await finish(provider, req, res, {
      error: 'access_denied',
      error_description: `The consent is ${consent.status}, not awaiting authorisation`,
    });
    return undefined;
  }
  allowFormRedirectTo(res, String(details.params.redirect_uri ?? ''));
  return { uid: details.uid, consent, customerId: req.user.customerId };
}

type ConsentRequest = NonNullable<Awaited<ReturnType<typeof loadRequest>>>;

/** What the consent screen shows: the app, the permissions in plain words, the customer's accounts. */
async function screenFor(deps: ConsentDeps, { uid, consent, customerId }: ConsentRequest) {
  const [app, accounts, shared] = await Promise.all([
    getApp(consent.clientId),
    listAccountsWithBalances(customerId),
    sharedAccountsOf(customerId, deps.now?.() ?? new Date()),
  ]);
  const openings = await accountOpenings(accounts.map((a) => a.accountId));
  // The period as dates: with no start asked for, the app gets everything from the first
  // transaction held, which is no earlier than her oldest account's opening.
  const oldestAccount = [...openings.values()].sort((a, b) => a.getTime() - b.getTime())[0];
  return {
    uid,
    consent,
    app,
    accounts,
    notes: consentScreenNotes(customerId, shared, app.name),
    clusters: dataClusters(consent.permissions),
    transactionsFrom: consent.transactionFromDateTime ?? oldestAccount,
  };
}

function finish(provider: Provider, req: Request, res: Response, result: Record<string, unknown>) {
  return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

/**
 * The consent form posts here, and the answer redirects on to the app's redirect URI.
 * Browsers apply the page's CSP form-action to that redirect, so the app's origin is
 * added to it on this page only.
 */
function allowFormRedirectTo(res: Response, redirectUri: string) {
  const origin = URL.parse(redirectUri)?.origin;
  const csp = res.getHeader('content-security-policy');
  if (!origin || origin === 'null' || typeof csp !== 'string') return;
  res.setHeader('content-security-policy', csp.replace("form-action 'self'", `form-action 'self' ${origin}`));
}
