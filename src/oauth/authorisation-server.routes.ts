import { Router, type Request } from 'express';
import type Provider from 'oidc-provider';
import { hashBasicCredentials } from '../apps/client-secret.js';
import { addressedToPublicUrl } from '../http/public-host.js';
import { anyone } from '../http/require-role.js';
import { oauthRoutes, servedByAuthorisationServer } from './oidc-provider.js';

/**
 * Hands the authorisation server its routes (/oauth/* but for our consent screen, and
 * discovery). It parses its own bodies; each request reaches it addressed to PUBLIC_URL,
 * with any Basic client credentials hashed (apps/client-secret.ts).
 */
export function authorisationServerRoutes(provider: Provider, publicUrl: string) {
  const router = Router();
  const oidc = provider.callback();
  // Every app must use DPoP, and the library answers a missing proof with a bare invalid_grant; say why.
  router.post(oauthRoutes.token, anyone, (req, res, next) => {
    if (req.get('dpop')) return next();
    res.status(400).set('Cache-Control', 'no-store').json({
      error: 'invalid_dpop_proof',
      error_description:
        'A DPoP proof (DPoP header) is required: this server issues only DPoP-bound access tokens',
    });
  });
  const forAuthorisationServer = (req: Request) => {
    hashBasicCredentials(req);
    return addressedToPublicUrl(req, publicUrl);
  };
  router.use((req, res, next) =>
    servedByAuthorisationServer(req.path) ? oidc(forAuthorisationServer(req), res) : next(),
  );
  return router;
}
