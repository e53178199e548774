import { generateKeyPairSync, randomBytes, createPrivateKey, createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';

export interface OAuthSecrets {
  /** Private JWKS the authorisation server signs ID tokens with (ES256). */
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
  dpopNonceSecret: Buffer;
}

/**
 * The authorisation server's signing key and cookie secret: from OAUTH_SIGNING_KEY and
 * OAUTH_COOKIE_SECRET when set (required in production), otherwise generated into
 * DATA_DIR on first start so they survive restarts.
 */
export async function loadOAuthSecrets(
  config: Pick<Config, 'OAUTH_SIGNING_KEY' | 'OAUTH_COOKIE_SECRET' | 'DATA_DIR'>,
) {
  const pem =
    config.OAUTH_SIGNING_KEY?.replaceAll('\\n', '\n') ??
    (await readOrCreate(join(config.DATA_DIR, 'oauth-signing-key.pem'), () =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString(),
    ));
  const cookieSecret =
    config.OAUTH_COOKIE_SECRET ??
    (await readOrCreate(join(config.DATA_DIR, 'oauth-cookie-secret'), () =>
      randomBytes(32).toString('base64url'),
    ));
  return oauthSecretsFrom(pem, cookieSecret);
}

export function oauthSecretsFrom(pem: string, cookieSecret: string): OAuthSecrets {
  const jwk = createPrivateKey(pem).export({ format: 'jwk' }) as Record<string, string>;
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
  return {
    jwks: { keys: [{ ...jwk, kid, use: 'sig', alg: 'ES256' }] },
    cookieKeys: [cookieSecret],
    // DPoP nonces must validate in every process, so the secret is derived, not random per process.
    dpopNonceSecret: createHash('sha256').update(`dpop-nonce:${cookieSecret}`).digest(),
  };
}

async function readOrCreate(file: string, create: () => string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await writeFile(file, create(), { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    return (await readFile(file, 'utf8')).trim();
  }
}
