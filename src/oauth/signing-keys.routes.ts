import { Router } from 'express';
import { z } from 'zod';
import { anyone } from '../http/require-role.js';
import type { Operation } from '../openapi/openapi.js';
import type { OAuthSecrets } from './oauth-keys.js';

/**
 * The public halves of the keys kept for one purpose each, so anyone holding a consent
 * receipt, and every app receiving a webhook notice, can check its signature. (ID tokens
 * are checked with /oauth/jwks, checkpoints and evidence packs with /.well-known/audit-keys.json.)
 */
export function signingKeyRoutes(secrets: Pick<OAuthSecrets, 'receiptKey' | 'webhookKey'>) {
  const router = Router();
  const publish = (key: OAuthSecrets['receiptKey']) => ({ keys: [key.publicJwk] });
  router.get('/.well-known/receipt-keys.json', anyone, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(publish(secrets.receiptKey));
  });
  router.get('/.well-known/webhook-keys.json', anyone, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(publish(secrets.webhookKey));
  });
  return router;
}

const Jwks = z.object({
  keys: z.array(
    z.object({
      kty: z.literal('EC'),
      crv: z.literal('P-256'),
      x: z.string(),
      y: z.string(),
      kid: z.string(),
      use: z.literal('sig'),
      alg: z.literal('ES256'),
    }),
  ),
});

const tags = ['Signing keys'];
export const signingKeyOperations: Operation[] = [
  {
    method: 'get',
    path: '/.well-known/receipt-keys.json',
    summary: 'Public key that signs consent receipts (JWKS); it signs nothing else',
    tags,
    security: 'none',
    responses: { 200: { description: 'JWKS', schema: Jwks } },
  },
  {
    method: 'get',
    path: '/.well-known/webhook-keys.json',
    summary:
      'Public key that signs the consent notices posted to apps’ webhooks (JWKS); it signs nothing else',
    tags,
    security: 'none',
    responses: { 200: { description: 'JWKS', schema: Jwks } },
  },
];
