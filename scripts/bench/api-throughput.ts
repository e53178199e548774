import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { devNull } from 'node:os';
import autocannon from 'autocannon';
import express from 'express';
import { exportJWK, SignJWT, type CryptoKey } from 'jose';
import { createHash } from 'node:crypto';
import { transactionsPage } from '../../src/accounts/transaction.repository.js';
import { projectRoot } from '../../src/paths.js';
import { connectedApp } from '../../test/helpers/oauth-client.js';
import { authorisationFlow, signedInBrowsers, startBenchBank } from './bench-bank.js';
import { freshDatabase } from './bench-db.js';

export interface ThroughputFigures {
  transactionsInDatabase: number;
  connections: number;
  baseline: number;
  baselineWithAudit: number;
  fullRead: number;
  /** Measured at the first size only: it does not read transactions. */
  authorisationFlowsPerSecond: number | undefined;
}

const seconds = 8;
const readCustomerTransactions = 800;

/**
 * Requests per second, side by side in one run: the bench's own bare route reading the
 * same transactions page, the same plus one audit append, and the product's
 * GET /accounts/{id}/transactions with a DPoP-bound token, full enforcement and audit.
 */
export async function throughputScenario(options: {
  /** Transactions in the bank's database in all (the customer read has 800 of them). */
  transactions: number;
  connections: number;
  authorisationFlows: boolean;
  log: (line: string) => void;
}): Promise<ThroughputFigures> {
  const db = await freshDatabase();
  const bank = await startBenchBank();
  try {
    const { issuer, audit } = bank;

    // The bank's other customers first: seeding 10 million transactions outlasts a 5-minute access token.
    const extra = options.transactions - readCustomerTransactions;
    if (extra > 0) await seedOtherTransactions(extra, db.dataDir, options.log);
    const s = await connectedApp(
      { issuer },
      ['ReadAccountsBasic', 'ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadTransactionsDebits'],
      {
        transactions: readCustomerTransactions / 2,
      },
    );
    const account = s.accounts[0]!;

    // The bench's bare route: the same page of the same account, nothing else.
    const window = { from: new Date(Date.now() - 400 * 86_400_000), to: new Date() };
    const bare = express();
    bare.get('/page', async (_req, res) => {
      const page = await transactionsPage(account.accountId, window, { limit: 100, keep: () => true });
      res.json({ Data: { Transaction: page.transactions } });
    });
    bare.get('/page-with-audit', async (_req, res) => {
      const page = await transactionsPage(account.accountId, window, { limit: 100, keep: () => true });
      await audit.record({
        action: 'data.accessed',
        actor: { type: 'app', id: 'bench' },
        outcome: 'success',
        recordCount: page.transactions.length,
      });
      res.json({ Data: { Transaction: page.transactions } });
    });
    const bareUrl = await bank.listen(bare);

    const run = async (url: string, headers?: () => Record<string, string>) => {
      const result = await autocannon({
        url,
        connections: options.connections,
        duration: seconds,
        ...(headers
          ? {
              requests: [
                {
                  setupRequest: (req: autocannon.Request) => ({
                    ...req,
                    headers: { ...req.headers, ...headers() },
                  }),
                },
              ],
            }
          : {}),
      });
      if (result.non2xx > 0 || result.errors > 0)
        options.log(`  ${result.non2xx} non-2xx answers and ${result.errors} errors from ${url}`);
      // Only successful answers count: a refusal is fast and would flatter the figure.
      return result['2xx'] / result.duration;
    };

    const baseline = await run(`${bareUrl}/page`);
    const baselineWithAudit = await run(`${bareUrl}/page-with-audit`);

    // DPoP proofs must be fresh and unique: signed ahead, handed out one per request.
    const path = `/open-banking/v4.0/aisp/accounts/${account.accountId}/transactions`;
    const proofs = await dpopProofs(
      s.c.dpopKeys,
      `${issuer}${path}`,
      s.tokens.access_token,
      Math.min(60_000, options.connections * seconds * 150),
    );
    let next = 0;
    const fullRead = await run(`${issuer}${path}`, () => ({
      authorization: `DPoP ${s.tokens.access_token}`,
      dpop: proofs[next++ % proofs.length]!,
      'x-fapi-customer-ip-address': '198.51.100.7',
    }));

    const authorisationFlowsPerSecond = options.authorisationFlows
      ? await authorisationFlows(issuer, s, 10)
      : undefined;

    return {
      transactionsInDatabase: Math.max(options.transactions, readCustomerTransactions),
      connections: options.connections,
      baseline,
      baselineWithAudit,
      fullRead,
      authorisationFlowsPerSecond,
    };
  } finally {
    await bank.close();
    await db.dispose();
  }
}

/**
 * Full authorisations per second by one app for one signed-in customer, `parallel` at a
 * time: client credentials, consent creation, PAR, the consent screen and approval, and
 * the DPoP code exchange, each with its own consent.
 */
async function authorisationFlows(
  issuer: string,
  s: Awaited<ReturnType<typeof connectedApp>>,
  parallel: number,
) {
  const browsers = await signedInBrowsers(issuer, s, parallel);
  const started = performance.now();
  let flows = 0;
  await Promise.all(
    browsers.map(async (browser) => {
      while (performance.now() - started < 10_000) {
        await authorisationFlow(issuer, s, browser);
        flows += 1;
      }
    }),
  );
  return flows / ((performance.now() - started) / 1000);
}

export async function dpopProofs(
  keys: { privateKey: CryptoKey; publicKey: CryptoKey },
  htu: string,
  accessToken: string,
  count: number,
) {
  const jwk = await exportJWK(keys.publicKey);
  const ath = createHash('sha256').update(accessToken).digest('base64url');
  const proofs: string[] = [];
  for (let i = 0; i < count; i++) {
    proofs.push(
      await new SignJWT({ htm: 'GET', htu, ath, jti: `${i}-${Math.random().toString(36).slice(2)}` })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .setIssuedAt()
        .sign(keys.privateKey),
    );
  }
  return proofs;
}

/**
 * Other customers' transactions, 1,000 per account at most (about a year of card
 * spending), written by `npm run seed` in its own process joining the bench's database,
 * as an operator would load a bank: the server's connections never carry the bulk load.
 */
async function seedOtherTransactions(count: number, dataDir: string, log: (line: string) => void) {
  const perAccount = Math.min(1000, Math.ceil(count / 2));
  const customers = Math.ceil(count / (2 * perAccount));
  log(`  seeding ${(customers * 2 * perAccount).toLocaleString('en-GB')} other transactions`);
  const started = performance.now();
  const seeder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(projectRoot, 'src/cli/seed.ts'),
      '--seed',
      'growth',
      '--customers',
      String(customers),
      '--transactions-per-account',
      String(perAccount),
    ],
    {
      cwd: projectRoot,
      env: { ...process.env, ENV_FILE: devNull, DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const [code] = (await once(seeder, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`npm run seed exited with ${code}`);
  log(`  seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
