import type { Response } from 'express';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { consentIdOfGrant } from './grant-consent.repository.js';
import { MongoOidcAdapter } from './oidc-adapter.js';
import type { OAuthSecrets } from './oauth-keys.js';

export const oauthRoutes = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  pushed_authorization_request: '/oauth/par',
  jwks: '/oauth/jwks',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  userinfo: '/oauth/userinfo',
  end_session: '/oauth/logout',
} as const;

export const interactionPath = (uid: string) => `/oauth/interaction/${uid}`;

/** The paths the app hands to the authorisation server: /oauth/* but for our consent screen, and discovery. */
export function servedByAuthorisationServer(path: string): boolean {
  if (path.startsWith('/oauth/interaction/')) return false;
  return path.startsWith('/oauth/') || path === '/.well-known/openid-configuration';
}

/**
 * The authorisation server: oidc-provider on the FAPI 2.0 profile. Pushed authorisation
 * requests are required, the code flow is the only one, PKCE S256 is required, clients
 * authenticate with private_key_jwt (client_secret_basic only when development settings
 * allow), access tokens are DPoP-bound and short-lived, and refresh tokens last no
 * longer than the consent they serve. The consent id arrives as the essential
 * `openbanking_intent_id` claim and is carried into the ID token and the tokens.
 */
export function createOidcProvider(
  config: Config,
  secrets: OAuthSecrets,
  /** The consent's status as of now, read without changing anything. */
  hooks: { consentStatus(consentId: string): Promise<string | undefined> },
): Provider {
  // The grant is saved with the consent's remaining lifetime (interaction.routes.ts), so
  // refresh tokens issued under it never outlive the consent.
  const refreshTtl = (ctx: KoaContextWithOIDC | undefined) => {
    const limit = config.REFRESH_TOKEN_TTL_DAYS * 86_400;
    const grantExp = (ctx?.oidc?.entities?.Grant as { exp?: number } | undefined)?.exp;
    if (!grantExp) return limit;
    return Math.max(1, Math.min(limit, grantExp - Math.floor(Date.now() / 1000)));
  };

  const configuration: Configuration = {
    adapter: MongoOidcAdapter,
    jwks: secrets.jwks as Configuration['jwks'],
    clientDefaults: { id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'private_key_jwt' },
    clientAuthMethods: config.ALLOW_CLIENT_SECRET_BASIC
      ? ['private_key_jwt', 'client_secret_basic']
      : ['private_key_jwt'],
    responseTypes: ['code'],
    scopes: ['openid', 'accounts'],
    claims: { openid: ['sub'], openbanking_intent_id: null },
    extraParams: {
      // An authorisation for account data must name its consent, as the essential openbanking_intent_id claim.
      async claims(ctx: KoaContextWithOIDC, value: string | undefined) {
        const scopes = String(ctx.oidc.params?.scope ?? '').split(' ');
        if (!scopes.includes('accounts')) return;
        const requested = parseClaims(value);
        const intent = requested?.id_token?.openbanking_intent_id;
        if (!intent || typeof intent.value !== 'string' || intent.essential !== true) {
          throw new errors.InvalidRequest(
            'claims must request id_token.openbanking_intent_id as essential with the ConsentId as its value',
          );
        }
      },
    },
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256', 'PS256'],
      idTokenSigningAlgValues: ['ES256'],
      requestObjectSigningAlgValues: ['ES256', 'PS256'],
      dPoPSigningAlgValues: ['ES256', 'PS256'],
    },
    pkce: { required: () => true },
    routes: oauthRoutes,
    interactions: { url: (_ctx, interaction) => interactionPath(interaction.uid) },
    cookies: {
      keys: secrets.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      dPoP: { enabled: true, nonceSecret: secrets.dpopNonceSecret, requireNonce: () => true },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => client.clientId === token.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => client.clientId === token.clientId,
      },
      userinfo: { enabled: true },
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },
    ttl: {
      AccessToken: config.ACCESS_TOKEN_TTL_SECONDS,
      ClientCredentials: config.ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: 300,
      Interaction: 3600,
      Session: 3600,
      PushedAuthorizationRequest: 60,
      RefreshToken: (ctx: KoaContextWithOIDC) => refreshTtl(ctx),
      Grant: config.CONSENT_MAX_DAYS * 86_400,
    },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.kind === 'AuthorizationCode',
    rotateRefreshToken: false,
    expiresWithSession: async () => false,
    // Every authorisation is for one consent: never reuse an earlier grant silently.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    // Every token issued under a grant (code exchange, refresh) needs its consent still authorised.
    extraTokenClaims: async (_ctx, token) => {
      const grantId = 'grantId' in token ? (token.grantId as string | undefined) : undefined;
      if (!grantId) return undefined;
      const consentId = await consentIdOfGrant(grantId);
      const status = consentId ? await hooks.consentStatus(consentId) : undefined;
      if (status !== 'AUTH') {
        throw new errors.InvalidGrant(`the consent is ${status ?? 'unknown'}, no longer authorised`);
      }
      return { openbanking_intent_id: consentId };
    },
    findAccount: async (ctx, sub, token) => ({
      accountId: sub,
      async claims() {
        const grantId = (token as { grantId?: string } | undefined)?.grantId ?? ctx.oidc.entities.Grant?.jti;
        const consentId = grantId ? await consentIdOfGrant(grantId) : undefined;
        return { sub, ...(consentId ? { openbanking_intent_id: consentId } : {}) };
      },
    }),
    clientBasedCORS: () => false,
    // The app's own error page, through the same views as every other page.
    renderError: async (ctx, out) => {
      const res = ctx.res as unknown as Response;
      ctx.type = 'html';
      ctx.body = await new Promise<string>((resolve, reject) =>
        res.render(
          'errors/error.njk',
          {
            status: ctx.status,
            title: 'This request could not be completed',
            message: `${String(out.error_description ?? out.error)} Return to the app and try again.`,
            requestId: (ctx.req as { id?: unknown }).id,
          },
          (err, html) => (err ? reject(err) : resolve(html)),
        ),
      );
    },
  };

  const provider = new Provider(config.publicUrl, configuration);
  // The app hands the provider every request addressed to PUBLIC_URL (http/public-host.ts),
  // with the forwarded host and scheme set from it, so the URLs it builds are PUBLIC_URL's.
  provider.proxy = true;
  // A database that cannot be reached is "try again shortly" (503), not a fault of ours (500).
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: unknown) => {
    if (isDatabaseUnavailable(error)) ctx.status = 503;
  });
  return provider;
}

interface RequestedClaims {
  id_token?: Record<string, { value?: unknown; essential?: boolean } | null>;
  userinfo?: Record<string, { value?: unknown; essential?: boolean } | null>;
}

export function parseClaims(value: string | undefined): RequestedClaims | undefined {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as RequestedClaims;
  } catch {
    return undefined;
  }
}

/** The ConsentId an authorisation request names. */
export function requestedConsentId(claims: string | undefined): string | undefined {
  const parsed = parseClaims(claims);
  const value =
    parsed?.id_token?.openbanking_intent_id?.value ?? parsed?.userinfo?.openbanking_intent_id?.value;
  return typeof value === 'string' ? value : undefined;
}
