import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * client_secret_basic without keeping the secret. The app gets a random secret once; the
 * bank stores only its SHA-256 (the secret is 192 random bits, so a plain hash is enough:
 * there is nothing to guess). The authorisation server compares what the app presents
 * with what is stored, so every Basic credential is hashed on its way in
 * (`hashBasicCredentials`): the stored hash is what the server compares against, and a
 * leaked hash presented as a secret is hashed again and fails.
 */
export function newClientSecret(): { secret: string; hash: string } {
  const secret = randomBytes(24).toString('base64url');
  return { secret, hash: hashClientSecret(secret) };
}

export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Rewrites `Authorization: Basic id:secret` (RFC 6749 2.3.1 form-encoding) to carry the secret's hash. */
export function hashBasicCredentials(req: IncomingMessage): void {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(req.headers.authorization ?? '');
  if (!match) return;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return;
  let secret: string;
  try {
    secret = decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' '));
  } catch {
    return; // Not form-encoded: the server refuses it as it stands.
  }
  const credentials = `${decoded.slice(0, colon)}:${hashClientSecret(secret)}`;
  req.headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
}
