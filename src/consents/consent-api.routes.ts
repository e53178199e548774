import { Router } from 'express';
import type Provider from 'oidc-provider';
import type { AppRateLimiter } from '../apps/app-rate-limit.js';
import { NoQuery, parse } from '../http/validate.js';
import { requestContext } from '../http/request-context.js';
import { requireAppToken } from '../oauth/resource-server.js';
import { iso } from '../open-banking/ob-dates.js';
import { obBasePath } from '../open-banking/ob-api.js';
import { ObError, obErrorCodes } from '../open-banking/ob-errors.js';
import { checkConsentRequest, type Permission } from './consent.js';
import type { ConsentRecord } from './consent.model.js';
import { ConsentIdParam, OBReadConsent1 } from './consent.schemas.js';
import { createConsent, deleteConsentByApp, getConsentForApp, type ConsentDeps } from './consent.service.js';

const problemCodes = {
  unsupported_permission: obErrorCodes.unsupportedPermission,
  invalid_date: obErrorCodes.fieldInvalidDate,
  invalid: obErrorCodes.fieldInvalid,
} as const;

/** OB v4.0 account-access-consents, for apps holding a client-credentials token with scope `accounts`. */
export function consentApiRoutes(
  provider: Provider,
  deps: ConsentDeps,
  publicUrl: string,
  rateLimit: AppRateLimiter,
) {
  const router = Router();
  const app = requireAppToken(provider, publicUrl, 'client');
  const selfLink = (id: string) => `${publicUrl}${obBasePath}/account-access-consents/${id}`;

  router.post(`${obBasePath}/account-access-consents`, app, async (req, res) => {
    parse(NoQuery, req.query);
    const body = parse(OBReadConsent1, req.body);
    const at = deps.now?.() ?? new Date();
    const problems = checkConsentRequest(body.Data, at, deps.maxDays);
    if (problems.length > 0) {
      throw new ObError(
        400,
        problems.map((p) => ({
          ErrorCode: problemCodes[p.kind],
          Message: `${p.path}: ${p.message}`,
          Path: p.path,
        })),
      );
    }
    // Counted once the request is valid: a refused body changes nothing, not even the count.
    const limit = await rateLimit('consent', res.locals.appToken!.clientId, requestContext(req));
    if (!limit.allowed) {
      res.set('Retry-After', String(limit.retryAfterSeconds));
      throw new ObError(429, [
        {
          ErrorCode: obErrorCodes.rateLimited,
          Message: 'Too many consents created in the last minute: try again later',
        },
      ]);
    }
    const consent = await createConsent(
      deps,
      res.locals.appToken!.clientId,
      { ...body.Data, Permissions: body.Data.Permissions as Permission[] },
      requestContext(req),
    );
    res
      .status(201)
      .location(selfLink(consent._id))
      .json(consentBody(consent, selfLink(consent._id)));
  });

  router.get(`${obBasePath}/account-access-consents/:ConsentId`, app, async (req, res) => {
    const { ConsentId } = parse(ConsentIdParam, req.params);
    parse(NoQuery, req.query);
    const consent = await getConsentForApp(deps, res.locals.appToken!.clientId, ConsentId);
    res.json(consentBody(consent, selfLink(consent._id)));
  });

  router.delete(`${obBasePath}/account-access-consents/:ConsentId`, app, async (req, res) => {
    const { ConsentId } = parse(ConsentIdParam, req.params);
    parse(NoQuery, req.query);
    await deleteConsentByApp(deps, res.locals.appToken!.clientId, ConsentId, requestContext(req));
    res.status(204).end();
  });

  return router;
}

export function consentBody(consent: ConsentRecord, self: string) {
  return {
    Data: {
      ConsentId: consent._id,
      CreationDateTime: iso(consent.creationDateTime),
      Status: consent.status,
      ...(consent.statusReason ? { StatusReason: [consent.statusReason] } : {}),
      StatusUpdateDateTime: iso(consent.statusUpdateDateTime),
      Permissions: consent.permissions,
      ExpirationDateTime: iso(consent.expirationDateTime),
      ...(consent.transactionFromDateTime
        ? { TransactionFromDateTime: iso(consent.transactionFromDateTime) }
        : {}),
      ...(consent.transactionToDateTime ? { TransactionToDateTime: iso(consent.transactionToDateTime) } : {}),
    },
    Risk: {},
    Links: { Self: self },
    Meta: {},
  };
}
