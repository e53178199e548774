import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readOrCreateFile } from '../data-dir-file.js';
import { join } from 'node:path';

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

export interface AuditKeys {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: PublicJwk;
  /** HMAC key for event authentication codes, derived from the signing key. */
  macKey: Buffer;
}

/**
 * The audit log's Ed25519 signing key: AUDIT_SIGNING_KEY (PKCS#8 PEM) when set, otherwise
 * a key generated into DATA_DIR on first start. Every process writing to one database
 * must use the same key, so production requires AUDIT_SIGNING_KEY.
 */
export async function loadAuditKeys(options: { pem?: string; dataDir: string }): Promise<AuditKeys> {
  const pem = options.pem ? options.pem.replaceAll('\\n', '\n') : await readOrCreateKeyFile(options.dataDir);
  return auditKeysFromPem(pem);
}

export function auditKeysFromPem(pem: string): AuditKeys {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error('AUDIT_SIGNING_KEY must be an Ed25519 private key');
  const publicKey = createPublicKey(privateKey);
  const x = (publicKey.export({ format: 'jwk' }) as { x: string }).x;
  const keyId = createHash('sha256')
    .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }))
    .digest('base64url');
  const d = Buffer.from((privateKey.export({ format: 'jwk' }) as { d: string }).d, 'base64url');
  const macKey = Buffer.from(hkdfSync('sha256', d, 'consent-manager-audit', 'audit-event-mac', 32));
  return {
    keyId,
    privateKey,
    publicKey,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x, kid: keyId, use: 'sig', alg: 'EdDSA' },
    macKey,
  };
}

export function generateAuditKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function signBytes(keys: AuditKeys, data: string): string {
  return sign(null, Buffer.from(data), keys.privateKey).toString('base64url');
}

export function verifySignature(publicJwk: PublicJwk, data: string, signature: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x }, format: 'jwk' });
  return verify(null, Buffer.from(data), key, Buffer.from(signature, 'base64url'));
}

async function readOrCreateKeyFile(dataDir: string): Promise<string> {
  return readOrCreateFile(join(dataDir, 'audit-signing-key.pem'), generateAuditKeyPem);
}
