import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { invocationDirectory } from '../config.js';

const usage = `Usage: npm run app:keys -- --out NAME

Makes a signing key pair for a third-party app (ES256, as FAPI 2.0 allows) and writes two files:
  NAME-private-jwk.json  the app's private key, for its client assertions and DPoP proofs;
                         keep it with the app, never send it to the bank
  NAME-jwks.json         the public key set to register: npm run app:register -- --jwks-file NAME-jwks.json
Existing files are never overwritten.`;

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (!values.out) {
    console.error(`--out: required\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const base = resolve(invocationDirectory(), values.out);
  const privateFile = `${base}-private-jwk.json`;
  const jwksFile = `${base}-jwks.json`;
  // Never replace a key an app may already be using, nor leave a pair that does not match.
  const existing = [privateFile, jwksFile].filter((file) => existsSync(file));
  if (existing.length > 0) {
    console.error(
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}: choose another --out`,
    );
    process.exitCode = 1;
    return;
  }
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  // The thumbprint names the key, so the app's kid stays the same wherever the key is used.
  const kid = await calculateJwkThumbprint(publicJwk);
  const common = { kid, use: 'sig', alg: 'ES256' };
  await writeFile(
    privateFile,
    `${JSON.stringify({ ...(await exportJWK(privateKey)), ...common }, null, 2)}\n`,
    {
      flag: 'wx',
      mode: 0o600,
    },
  );
  await writeFile(jwksFile, `${JSON.stringify({ keys: [{ ...publicJwk, ...common }] }, null, 2)}\n`, {
    flag: 'wx',
  });
  console.log(`Wrote the private key to ${privateFile} (readable by you only)`);
  console.log(`Wrote the public key set to ${jwksFile}: register it with --jwks-file`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
