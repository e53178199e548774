import { Session } from 'node:inspector/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../src/paths.js';
import { csrfOf, readData, connectedApp } from '../test/helpers/oauth-client.js';
import { authorisationFlow, signedInBrowsers, startBenchBank } from './bench/bench-bank.js';
import { freshDatabase } from './bench/bench-db.js';

/**
 * How many of the project's source files (src/) one request runs through, for the two walks
 * the code is judged by: an app reading an account's transactions, and a customer revoking
 * an app from the dashboard. Counted with V8's precise coverage in this process: each walk is
 * made once to warm up, then again between two coverage snapshots, and a file counts when
 * any of its functions ran in between. Timers in the same process (the audit sealer and
 * indexer, the workers) can run in between too, so each walk is measured five times and the
 * smallest set is reported, with its files.
 *
 *   npx tsx scripts/walk-count.ts
 */

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });

/** The src/ files any of whose functions ran since the last call. */
async function filesRunSinceLastLook(): Promise<string[]> {
  const { result } = await session.post('Profiler.takePreciseCoverage');
  return result
    .filter(
      (script) => script.url.startsWith('file://') && script.functions.some((f) => f.ranges[0]!.count > 0),
    )
    .map((script) => relative(projectRoot, fileURLToPath(script.url)))
    .filter((file) => file.startsWith('src/'))
    .sort();
}

async function smallestOf(
  runs: number,
  walk: (measure: <T>(request: () => Promise<T>) => Promise<T>) => Promise<void>,
) {
  let smallest: string[] | undefined;
  for (let i = 0; i <= runs; i++) {
    let files: string[] = [];
    await walk(async (request) => {
      await filesRunSinceLastLook();
      const answer = await request();
      files = await filesRunSinceLastLook();
      return answer;
    });
    // The first run warms up (modules load, caches fill) and is not counted.
    if (i > 0 && (!smallest || files.length < smallest.length)) smallest = files;
  }
  return smallest!;
}

const db = await freshDatabase();
const bank = await startBenchBank();
try {
  const s = await connectedApp(
    { issuer: bank.issuer },
    ['ReadAccountsBasic', 'ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadTransactionsDebits'],
    {
      transactions: 60,
    },
  );
  const path = `/accounts/${s.accounts[0]!.accountId}/transactions`;
  const read = await smallestOf(5, async (measure) => {
    const answer = await measure(() => readData(bank.issuer, s.c, s.tokens.access_token, path));
    if (answer.status !== 200) throw new Error(`the read answered ${answer.status}`);
  });

  const [browser] = await signedInBrowsers(bank.issuer, s, 1);
  const revoke = await smallestOf(5, async (measure) => {
    const { consentId } = await authorisationFlow(bank.issuer, s, browser!);
    const confirm = await browser!.fetch(`${bank.issuer}/my/apps/${consentId}/revoke`);
    const csrf = csrfOf(await confirm.text());
    const answer = await measure(() =>
      browser!.postForm(`${bank.issuer}/my/apps/${consentId}/revoke`, { _csrf: csrf }),
    );
    if (answer.status !== 303) throw new Error(`the revoke answered ${answer.status}`);
  });

  for (const [name, files] of [
    ['GET /accounts/{AccountId}/transactions (an app reads)', read],
    ['POST /my/apps/{ConsentId}/revoke (a customer revokes)', revoke],
  ] as const) {
    const folders = new Set(files.map((f) => dirname(f)));
    console.log(`${name}: ${files.length} files in ${folders.size} folders`);
    for (const file of files) console.log(`  ${file}`);
  }
} finally {
  await bank.close();
  await db.dispose();
  session.disconnect();
}
