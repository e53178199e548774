import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import type Provider from 'oidc-provider';
import { findApp } from '../apps/app.repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import { requestContext } from '../http/request-context.js';
import { ObError, obErrorCodes } from '../open-banking/ob-errors.js';

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

const refuse = (error: string, message: string) =>
  new ObError(401, [{ ErrorCode: obErrorCodes.tokenInvalid, Message: message }], {
    wwwAuthenticate: `DPoP error="${error}", error_description="${message}", algs="ES256 PS256"`,
  });

/**
 * Verifies a DPoP-bound access token issued by our authorisation server: the token is
 * known, unexpired and (for customer tokens) its grant still exists; the DPoP proof is
 * fresh, signed by the key the token is bound to, for this method and URL and this token,
 * and not replayed; the token carries the `accounts` scope; the app is not suspended.
 * `kind` says which grant the route accepts: client credentials or a customer's code grant.
 */
export function requireAppToken(
  provider: Provider,
  publicUrl: string,
  kind: AppToken['kind'],
  audit?: AuditLog,
) {
  const guard = async (req: Request, res: Response, next: NextFunction) => {
    const match = /^DPoP ([\w.~+/-]+=*)$/.exec(req.get('authorization') ?? '');
    if (!match)
      throw refuse('invalid_token', 'A DPoP-bound access token is required (Authorization: DPoP <token>)');
    const value = match[1]!;
    const proof = req.get('dpop');
    if (!proof || proof.includes(','))
      throw refuse('invalid_dpop_proof', 'Exactly one DPoP proof is required');

    const token =
      kind === 'client'
        ? await provider.ClientCredentials.find(value)
        : await provider.AccessToken.find(value);
    if (!token || !token.isValid)
      throw refuse('invalid_token', 'The access token is unknown, expired or revoked');
    const grantId = 'grantId' in token ? (token.grantId as string | undefined) : undefined;
    let proofPayload: { htm?: unknown; htu?: unknown; ath?: unknown; jti?: unknown; iat?: number };
    let jwk: JWK | undefined;
    try {
      const verified = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: ['ES256', 'PS256'],
        maxTokenAge: '60s',
        clockTolerance: 5,
        requiredClaims: ['iat', 'jti', 'htm', 'htu'],
      });
      proofPayload = verified.payload;
      jwk = verified.protectedHeader.jwk;
    } catch {
      throw refuse('invalid_dpop_proof', 'The DPoP proof is invalid or too old');
    }
    const expectedHtu = new URL(req.originalUrl.split('?')[0]!, publicUrl).href;
    const htu = typeof proofPayload.htu === 'string' ? URL.parse(proofPayload.htu) : null;
    if (htu) {
      htu.search = '';
      htu.hash = '';
    }
    if (proofPayload.htm !== req.method || htu?.href !== expectedHtu) {
      throw refuse('invalid_dpop_proof', 'The DPoP proof is for another method or URL');
    }
    if (proofPayload.ath !== createHash('sha256').update(value).digest('base64url')) {
      throw refuse('invalid_dpop_proof', 'The DPoP proof is for another access token');
    }
    const jkt = await calculateJwkThumbprint(jwk!);
    const boundTo = (token as { jkt?: string }).jkt;
    if (!boundTo || boundTo !== jkt)
      throw refuse('invalid_token', 'The DPoP proof is not signed by the key the token is bound to');
    if (
      !(await provider.ReplayDetection.unique(
        `rs:${token.clientId}`,
        String(proofPayload.jti),
        proofPayload.iat! + 120,
      ))
    ) {
      throw refuse('invalid_dpop_proof', 'The DPoP proof was already used');
    }
    // From here the caller has proved it holds the token's key: refusals are the app's, and audited.
    const consentId = (token as { extra?: { openbanking_intent_id?: string } }).extra?.openbanking_intent_id;
    const deny = (reason: string) =>
      audit?.record({
        action: 'data.denied',
        actor: { type: 'app', id: token.clientId },
        outcome: 'failure',
        reason,
        clientId: token.clientId,
        customerId: (token as { accountId?: string }).accountId,
        consentId,
        resource: `${req.method} ${req.path}`,
        context: requestContext(req),
      });
    if (kind === 'customer') {
      const grant = grantId ? await provider.Grant.find(grantId) : undefined;
      if (!grant || grant.clientId !== token.clientId) {
        // The consent ended (its grant was destroyed): the attempt is part of the consent's history.
        await deny('consent_revoked');
        throw refuse('invalid_token', 'The access token belongs to a consent that was revoked');
      }
    }
    if (!token.scopes.has('accounts')) {
      await deny('insufficient_scope');
      throw new ObError(
        403,
        [{ ErrorCode: obErrorCodes.tokenInvalid, Message: 'The access token lacks the accounts scope' }],
        {
          wwwAuthenticate: 'DPoP error="insufficient_scope", scope="accounts"',
        },
      );
    }
    const app = await findApp(token.clientId!);
    if (!app || app.status !== 'active') {
      await deny('app_suspended');
      throw new ObError(403, [{ ErrorCode: obErrorCodes.appSuspended, Message: 'This app is suspended' }]);
    }

    res.locals.appToken = {
      kind,
      clientId: token.clientId!,
      jkt,
      ...(kind === 'customer'
        ? {
            customerId: (token as { accountId?: string }).accountId,
            grantId,
            consentId,
          }
        : {}),
    };
    next();
  };
  // Stated on the guard, as requireRole does, so the role matrix test can see who a route admits.
  return Object.assign(guard, { appToken: kind });
}
