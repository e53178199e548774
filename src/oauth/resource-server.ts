import type { NextFunction, Request, Response } from 'express';
import type Provider from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.js';
import { requestContext } from '../http/request-context.js';
import { AppRefusal, grantIdOf, tokenChecks, type TokenCheck } from './token-checks.js';

/** What a verified access token tells the routes behind it. */
export interface AppToken {
  kind: 'client' | 'customer';
  clientId: string;
  jkt: string;
  /** For customer tokens: the customer, the grant, and the consent the grant carries out. */
  customerId?: string;
  grantId?: string;
  consentId?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      appToken?: AppToken;
    }
  }
}

/**
 * Verifies a DPoP-bound access token issued by our authorisation server, running the
 * checks of token-checks.ts in order: the token is known, unexpired and (for customer
 * tokens) its grant still exists; the DPoP proof is fresh, signed by the key the token is
 * bound to, for this method and URL and this token, and not replayed; the token carries
 * the `accounts` scope; the app is not suspended. A refusal after the caller has proved
 * it holds the token's key is the app's, and is audited as `data.denied`.
 * `kind` says which grant the route accepts: client credentials or a customer's code grant.
 */
export function requireAppToken(
  provider: Provider,
  publicUrl: string,
  kind: AppToken['kind'],
  audit?: AuditLog,
) {
  const guard = async (req: Request, res: Response, next: NextFunction) => {
    const check: TokenCheck = { req, provider, publicUrl, kind };
    try {
      for (const step of tokenChecks) await step(check);
    } catch (error) {
      if (!(error instanceof AppRefusal)) throw error;
      await audit?.record({
        action: 'data.denied',
        actor: { type: 'app', id: check.token!.clientId },
        outcome: 'failure',
        reason: error.reason,
        clientId: check.token!.clientId,
        customerId: customerOf(check),
        consentId: consentOf(check),
        resource: `${req.method} ${req.path}`,
        context: requestContext(req),
      });
      throw error.error;
    }
    res.locals.appToken = {
      kind,
      clientId: check.token!.clientId!,
      jkt: check.jkt!,
      ...(kind === 'customer'
        ? { customerId: customerOf(check), grantId: grantIdOf(check.token!), consentId: consentOf(check) }
        : {}),
    };
    next();
  };
  // Stated on the guard, as requireRole does, so the role matrix test can see who a route admits.
  return Object.assign(guard, { appToken: kind });
}

const customerOf = (check: TokenCheck) => (check.token as { accountId?: string }).accountId;
const consentOf = (check: TokenCheck) =>
  (check.token as { extra?: { openbanking_intent_id?: string } }).extra?.openbanking_intent_id;
