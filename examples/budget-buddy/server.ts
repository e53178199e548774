import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { createExampleApp } from './example-app.js';

/**
 * Runs Budget Buddy next to a running consent manager:
 *   npm run example            (bank at http://localhost:3000, app at http://localhost:4000)
 * On first start it makes a key pair and registers itself with `npm run app:register`
 * (which joins the running server's database), keeping both in examples/budget-buddy/.data.
 */
const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '.data');
const bankUrl = process.env.BANK_URL ?? 'http://localhost:3000';
const port = Number(process.env.EXAMPLE_PORT ?? 4000);
const baseUrl = `http://localhost:${port}`;

interface Registration {
  clientId: string;
  privateJwk: JWK;
  redirectUri: string;
}

async function registration(): Promise<Registration> {
  const file = join(dataDir, `registration-${new URL(bankUrl).port || 'default'}.json`);
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Registration;
    if (saved.redirectUri === `${baseUrl}/cb`) return saved;
  } catch {
    // Not registered yet.
  }
  await mkdir(dataDir, { recursive: true });
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `budget-buddy-${Date.now()}`;
  const jwksFile = join(dataDir, 'jwks.json');
  await writeFile(
    jwksFile,
    JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'ES256' }] }),
  );
  // App names are unique at the bank: this one names where it runs, and takes a number if
  // an earlier registration of it (whose saved keys are gone) holds the name.
  const register = (name: string) =>
    spawnSync(
      'npm',
      [
        'run',
        '--silent',
        'app:register',
        '--',
        '--name',
        name,
        '--redirect-uri',
        `${baseUrl}/cb`,
        '--jwks-file',
        jwksFile,
        '--purpose',
        'Shows your spending by category across your banks.',
      ],
      { cwd: join(here, '..', '..'), encoding: 'utf8' },
    );
  const base = `Budget Buddy (example on ${new URL(baseUrl).host})`;
  let result = register(base);
  for (let n = 2; result.status !== 0 && /already registered/.test(result.stderr) && n <= 9; n++)
    result = register(`${base} ${n}`);
  if (result.status !== 0) throw new Error(`registration failed:\n${result.stderr}${result.stdout}`);
  const app = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { client_id: string };
  const saved: Registration = {
    clientId: app.client_id,
    privateJwk: { ...(await exportJWK(privateKey)), kid },
    redirectUri: `${baseUrl}/cb`,
  };
  await writeFile(file, JSON.stringify(saved, null, 2), { mode: 0o600 });
  return saved;
}

const reg = await registration();
const app = await createExampleApp({
  bankUrl,
  baseUrl,
  clientId: reg.clientId,
  privateKey: (await importJWK(reg.privateJwk, 'ES256')) as CryptoKey,
  kid: reg.privateJwk.kid!,
  allowHttp: bankUrl.startsWith('http://'),
});
app.listen(port, '127.0.0.1', () =>
  console.log(`Budget Buddy (client_id ${reg.clientId}) at ${baseUrl}, using the bank at ${bankUrl}`),
);
