import { generateKeyPairSync, randomBytes, createPrivateKey, createHash } from 'node:crypto';
import { readOrCreateFile } from '../data-dir-file.js';
import { join } from 'node:path';
import type { Config } from '../config.js';

/** An ES256 key kept for one purpose only; its public half is published under `kid`. */
export interface PurposeKey {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
}

export interface OAuthSecrets {
  /** Private JWKS the authorisation server signs ID tokens with (ES256), and nothing else. */
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
  dpopNonceSecret: Buffer;
  /** Signs consent receipts (published at /.well-known/receipt-keys.json). */
  receiptKey: PurposeKey;
  /** Signs the notices posted to apps' webhooks (published at /.well-known/webhook-keys.json). */
  webhookKey: PurposeKey;
}

const newEcPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();

/**
 * The server's signing keys, one per purpose (ID tokens, consent receipts, webhook notices:
 * a signature made for one can never pass for another), and the authorisation server's
 * cookie secret: from OAUTH_SIGNING_KEY, RECEIPT_SIGNING_KEY, WEBHOOK_SIGNING_KEY and
 * OAUTH_COOKIE_SECRET when set (required in production), otherwise generated into DATA_DIR
 * on first start so they survive restarts.
 */
export async function loadOAuthSecrets(
  config: Pick<
    Config,
    'OAUTH_SIGNING_KEY' | 'OAUTH_COOKIE_SECRET' | 'RECEIPT_SIGNING_KEY' | 'WEBHOOK_SIGNING_KEY' | 'DATA_DIR'
  >,
) {
  const pem = (given: string | undefined, file: string) =>
    given?.replaceAll('\\n', '\n') ?? readOrCreate(join(config.DATA_DIR, file), newEcPem);
  const cookieSecret =
    config.OAUTH_COOKIE_SECRET ??
    (await readOrCreate(join(config.DATA_DIR, 'oauth-cookie-secret'), () =>
      randomBytes(32).toString('base64url'),
    ));
  return oauthSecretsFrom(await pem(config.OAUTH_SIGNING_KEY, 'oauth-signing-key.pem'), cookieSecret, {
    receipts: await pem(config.RECEIPT_SIGNING_KEY, 'receipt-signing-key.pem'),
    webhooks: await pem(config.WEBHOOK_SIGNING_KEY, 'webhook-signing-key.pem'),
  });
}

/** The secrets from their PEM forms; the receipt and webhook keys are made afresh when not given (tests). */
export function oauthSecretsFrom(
  pem: string,
  cookieSecret: string,
  purposes: { receipts?: string; webhooks?: string } = {},
): OAuthSecrets {
  const idTokenKey = purposeKey('', pem);
  return {
    jwks: { keys: [idTokenKey.privateJwk] },
    cookieKeys: [cookieSecret],
    // DPoP nonces must validate in every process, so the secret is derived, not random per process.
    dpopNonceSecret: createHash('sha256').update(`dpop-nonce:${cookieSecret}`).digest(),
    receiptKey: purposeKey('receipt-', purposes.receipts ?? newEcPem()),
    webhookKey: purposeKey('webhook-', purposes.webhooks ?? newEcPem()),
  };
}

function purposeKey(kidPrefix: string, pem: string): PurposeKey {
  const { d, ...publicMembers } = createPrivateKey(pem).export({ format: 'jwk' }) as Record<string, string>;
  const thumbprint = createHash('sha256')
    .update(
      JSON.stringify({
        crv: publicMembers.crv,
        kty: publicMembers.kty,
        x: publicMembers.x,
        y: publicMembers.y,
      }),
    )
    .digest('base64url');
  const kid = `${kidPrefix}${thumbprint}`;
  const publicJwk = { ...publicMembers, kid, use: 'sig', alg: 'ES256' };
  return { kid, publicJwk, privateJwk: { ...publicJwk, d } };
}

async function readOrCreate(file: string, create: () => string): Promise<string> {
  return (await readOrCreateFile(file, create)).trim();
}
