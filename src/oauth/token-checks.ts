import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import type Provider from 'oidc-provider';
import { findApp } from '../apps/app.repository.js';
import { ObError, obErrorCodes } from '../open-banking/ob-errors.js';

/**
 * The checks a DPoP-bound access token passes before a resource is served, one small
 * named step each (as node-oidc-provider's actions are), in the order `requireAppToken`
 * runs them. Each step reads what the ones before it found and adds its own finding;
 * a refusal is an OB error body with the DPoP challenge RFC 9449 describes.
 */

type AccessToken = InstanceType<Provider['AccessToken']>;
type ClientToken = InstanceType<Provider['ClientCredentials']>;

export interface TokenCheck {
  req: Request;
  provider: Provider;
  publicUrl: string;
  kind: 'client' | 'customer';
  value?: string;
  proof?: string;
  token?: AccessToken | ClientToken;
  proofPayload?: { htm?: unknown; htu?: unknown; ath?: unknown; jti?: unknown; iat?: number };
  proofKey?: JWK;
  jkt?: string;
}

export const refuse = (error: string, message: string) =>
  new ObError(401, [{ ErrorCode: obErrorCodes.tokenInvalid, Message: message }], {
    wwwAuthenticate: `DPoP error="${error}", error_description="${message}", algs="ES256 PS256"`,
  });

/** Refusals after the caller has proved it holds the token's key: the app's own, and audited. */
export class AppRefusal extends Error {
  constructor(
    readonly reason: string,
    readonly error: ObError,
  ) {
    super(reason);
  }
}

export async function readCredentials(check: TokenCheck) {
  const match = /^DPoP ([\w.~+/-]+=*)$/.exec(check.req.get('authorization') ?? '');
  if (!match)
    throw refuse('invalid_token', 'A DPoP-bound access token is required (Authorization: DPoP <token>)');
  const proof = check.req.get('dpop');
  if (!proof || proof.includes(',')) throw refuse('invalid_dpop_proof', 'Exactly one DPoP proof is required');
  check.value = match[1]!;
  check.proof = proof;
}

export async function findToken(check: TokenCheck) {
  const { provider, value } = check;
  const token =
    check.kind === 'client'
      ? await provider.ClientCredentials.find(value!)
      : await provider.AccessToken.find(value!);
  if (!token || !token.isValid)
    throw refuse('invalid_token', 'The access token is unknown, expired or revoked');
  check.token = token;
}

export async function verifyProof(check: TokenCheck) {
  try {
    const verified = await jwtVerify(check.proof!, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256', 'PS256'],
      maxTokenAge: '60s',
      clockTolerance: 5,
      requiredClaims: ['iat', 'jti', 'htm', 'htu'],
    });
    check.proofPayload = verified.payload;
    check.proofKey = verified.protectedHeader.jwk;
  } catch {
    throw refuse('invalid_dpop_proof', 'The DPoP proof is invalid or too old');
  }
}

export async function proofIsForThisRequest(check: TokenCheck) {
  const { req, proofPayload } = check;
  const expectedHtu = new URL(req.originalUrl.split('?')[0]!, check.publicUrl).href;
  const htu = typeof proofPayload!.htu === 'string' ? URL.parse(proofPayload!.htu) : null;
  if (htu) {
    htu.search = '';
    htu.hash = '';
  }
  if (proofPayload!.htm !== req.method || htu?.href !== expectedHtu) {
    throw refuse('invalid_dpop_proof', 'The DPoP proof is for another method or URL');
  }
  if (proofPayload!.ath !== createHash('sha256').update(check.value!).digest('base64url')) {
    throw refuse('invalid_dpop_proof', 'The DPoP proof is for another access token');
  }
}

export async function proofKeyIsBound(check: TokenCheck) {
  check.jkt = await calculateJwkThumbprint(check.proofKey!);
  const boundTo = (check.token as { jkt?: string }).jkt;
  if (!boundTo || boundTo !== check.jkt)
    throw refuse('invalid_token', 'The DPoP proof is not signed by the key the token is bound to');
}

export async function proofIsFresh(check: TokenCheck) {
  const { proofPayload } = check;
  const unique = await check.provider.ReplayDetection.unique(
    `rs:${check.token!.clientId}`,
    String(proofPayload!.jti),
    proofPayload!.iat! + 120,
  );
  if (!unique) throw refuse('invalid_dpop_proof', 'The DPoP proof was already used');
}

export async function grantIsAlive(check: TokenCheck) {
  if (check.kind !== 'customer') return;
  const grantId = grantIdOf(check.token!);
  const grant = grantId ? await check.provider.Grant.find(grantId) : undefined;
  if (!grant || grant.clientId !== check.token!.clientId) {
    // The consent ended (its grant was destroyed): the attempt is part of the consent's history.
    throw new AppRefusal(
      'consent_revoked',
      refuse('invalid_token', 'The access token belongs to a consent that was revoked'),
    );
  }
}

export async function hasAccountsScope(check: TokenCheck) {
  if (check.token!.scopes.has('accounts')) return;
  throw new AppRefusal(
    'insufficient_scope',
    new ObError(
      403,
      [{ ErrorCode: obErrorCodes.tokenInvalid, Message: 'The access token lacks the accounts scope' }],
      {
        wwwAuthenticate: 'DPoP error="insufficient_scope", scope="accounts"',
      },
    ),
  );
}

export async function appIsActive(check: TokenCheck) {
  const app = await findApp(check.token!.clientId!);
  if (!app || app.status !== 'active') {
    throw new AppRefusal(
      'app_suspended',
      new ObError(403, [{ ErrorCode: obErrorCodes.appSuspended, Message: 'This app is suspended' }]),
    );
  }
}

export const grantIdOf = (token: AccessToken | ClientToken) =>
  'grantId' in token ? (token.grantId as string | undefined) : undefined;

/** The checks, in order: the first that fails answers the request. */
export const tokenChecks = [
  readCredentials,
  findToken,
  verifyProof,
  proofIsForThisRequest,
  proofKeyIsBound,
  proofIsFresh,
  grantIsAlive,
  hasAccountsScope,
  appIsActive,
];
