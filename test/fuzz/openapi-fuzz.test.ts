import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { exportJWK } from 'jose';
import { allOperations } from '../../src/openapi/openapi.routes.js';
import { projectRoot } from '../../src/paths.js';
import { servedPermissions } from '../../src/consents/consent.js';
import { csrfFrom } from '../helpers/agent.js';
import { createCustomerWithAccounts, createPerson } from '../helpers/factories.js';
import {
  appClient,
  authoriseInBrowser,
  createConsentAs,
  exchangeCode,
  registerTestApp,
  startOAuthServer,
  type TestApp,
} from '../helpers/oauth-client.js';

/**
 * Fuzzes every operation of /openapi.json with schemathesis (installed into .venv/fuzz by
 * scripts/install-schemathesis.sh), each request with valid credentials for the security
 * its operation declares (test/fuzz/hooks.py): no answer may be a server error, or fall
 * outside the declared status codes, content types and schemas.
 *
 * FUZZ_MAX_EXAMPLES (examples per operation and phase), FUZZ_SEED and FUZZ_CHECKS (a
 * comma-separated list of schemathesis checks) change the bounded default run.
 */

const venv = join(projectRoot, '.venv', 'fuzz');
const maxExamples = process.env.FUZZ_MAX_EXAMPLES ?? '50';
const seed = process.env.FUZZ_SEED ?? '20261125';
const checks =
  process.env.FUZZ_CHECKS ??
  'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance';

function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? projectRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Signs a compliance officer in; returns the session cookie and the session's CSRF token. */
async function complianceSession(issuer: string) {
  const officer = await createPerson('compliance');
  const cookieOf = (res: Response) =>
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith('cm.sid='))
      ?.split(';')[0];
  const page = await fetch(`${issuer}/signin`);
  const form = new URLSearchParams({
    _csrf: csrfFrom(await page.text()),
    email: officer.email,
    password: officer.password,
  });
  const signedIn = await fetch(`${issuer}/signin`, {
    method: 'POST',
    body: form,
    headers: { cookie: cookieOf(page) ?? '' },
    redirect: 'manual',
  });
  assert.equal(signedIn.status, 303);
  const cookie = cookieOf(signedIn)!;
  const home = await fetch(`${issuer}/`, { headers: { cookie } });
  assert.equal(home.status, 200);
  return { cookie, csrf: csrfFrom(await home.text()) };
}

/** An app's openid-client set-up whose DPoP key can be handed to the fuzzer. */
async function exportableClient(issuer: string, app: TestApp) {
  const c = await appClient(issuer, app);
  const dpopKeys = await client.randomDPoPKeyPair('ES256', { extractable: true });
  return { ...c, dpopKeys, DPoP: client.getDPoPHandle(c.config, dpopKeys) };
}

interface Answers {
  statuses: Map<number, number>;
  seconds: number;
}

/** The hooks' log of answers: operation, status and time per line. */
async function answersByOperation(file: string) {
  const answers = new Map<string, Answers>();
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n').filter(Boolean)) {
    const [operation, status, seconds] = line.split('\t') as [string, string, string];
    const entry = answers.get(operation) ?? { statuses: new Map<number, number>(), seconds: 0 };
    entry.statuses.set(Number(status), (entry.statuses.get(Number(status)) ?? 0) + 1);
    entry.seconds += Number(seconds);
    answers.set(operation, entry);
  }
  return answers;
}

const count = (entry: Answers | undefined) =>
  [...(entry?.statuses.values() ?? [])].reduce((a, b) => a + b, 0);

const statusList = (statuses: Map<number, number>) =>
  [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}x${n}`)
    .join(' ');

/** One line per documented operation; the methods the coverage phase tries on the same paths in one line. */
function answersTable(documented: string[], answers: Map<string, Answers>) {
  const others: Answers = { statuses: new Map(), seconds: 0 };
  for (const [operation, entry] of answers) {
    if (documented.includes(operation)) continue;
    for (const [status, n] of entry.statuses)
      others.statuses.set(status, (others.statuses.get(status) ?? 0) + n);
  }
  const total = [...answers.values()].reduce((sum, entry) => sum + count(entry), 0);
  return [
    `answers per operation (${total} requests in all; status x count; seconds waited):`,
    ...documented.map((operation) => {
      const entry = answers.get(operation);
      return `  ${operation.padEnd(70)} ${statusList(entry?.statuses ?? new Map()).padEnd(36)} ${(entry?.seconds ?? 0).toFixed(1)}`;
    }),
    `  ${'undocumented methods on the same paths'.padEnd(70)} ${statusList(others.statuses)}`,
  ].join('\n');
}

describe('OpenAPI fuzzing with schemathesis', function () {
  this.timeout(600_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    const installed = await run('bash', ['scripts/install-schemathesis.sh']);
    assert.equal(installed.code, 0, installed.output);
    // Long-lived tokens: the whole run uses one of each.
    server = await startOAuthServer({ ACCESS_TOKEN_TTL_SECONDS: '1800' });
  });
  after(async () => server?.close());

  it('finds no server errors and no answers outside the declared status codes, content types and schemas', async () => {
    const { issuer } = server;

    // The customer: every served permission, both accounts shared.
    const { person, accounts } = await createCustomerWithAccounts(40);
    const customerApp = await registerTestApp(issuer);
    const customerClient = await exportableClient(issuer, customerApp);
    const consent = await createConsentAs(issuer, customerClient, { Permissions: [...servedPermissions] });
    assert.equal(consent.status, 201, JSON.stringify(consent.body));
    const flow = await authoriseInBrowser(
      issuer,
      customerApp,
      customerClient,
      consent.body.Data.ConsentId,
      person,
      () => ({ decision: 'approve', accountIds: accounts.map((a) => a.accountId) }),
    );
    const tokens = await exchangeCode(customerClient, flow);

    // Another app with a client-credentials token, and a pending consent of its own (the
    // fuzzer may delete it; the customer's consent above belongs to the other app).
    const consentApp = await registerTestApp(issuer);
    const consentClient = await exportableClient(issuer, consentApp);
    const pending = await createConsentAs(issuer, consentClient, {
      Permissions: ['ReadAccountsBasic', 'ReadBalances'],
    });
    assert.equal(pending.status, 201, JSON.stringify(pending.body));

    // A compliance officer's session and its CSRF token.
    const session = await complianceSession(issuer);

    const auth = {
      session,
      client: {
        accessToken: pending.accessToken,
        dpopJwk: await exportJWK(consentClient.dpopKeys.privateKey),
      },
      customer: {
        accessToken: tokens.access_token,
        dpopJwk: await exportJWK(customerClient.dpopKeys.privateKey),
      },
      known: {
        ConsentId: pending.body.Data.ConsentId,
        AccountId: accounts[0]!.accountId,
        auditConsentId: consent.body.Data.ConsentId,
        seq: 1,
      },
    };

    const scratch = await mkdtemp(join(tmpdir(), 'consent-manager-fuzz-'));
    const statusLog = join(scratch, 'answers.tsv');
    const started = Date.now();
    const result = await run(
      join(venv, 'bin', 'st'),
      [
        '--config-file',
        join(projectRoot, 'test', 'fuzz', 'schemathesis.toml'),
        'run',
        `${issuer}/openapi.json`,
        '--checks',
        checks,
        '--max-examples',
        maxExamples,
        '--seed',
        seed,
        '--phases',
        'examples,coverage,fuzzing',
        // One worker: Python 3.11's ast module, which Hypothesis uses to describe strategies, is not
        // thread-safe ("AST constructor recursion depth mismatch" with two).
        '--workers',
        '1',
        '--generation-database',
        'none',
        '--generation-with-security-parameters',
        'false',
        '--request-timeout',
        '30',
        '--no-color',
      ],
      {
        // Its crash cache (.schemathesis/) goes to the scratch folder, not the work tree.
        cwd: scratch,
        env: {
          SCHEMATHESIS_HOOKS: join(projectRoot, 'test', 'fuzz', 'hooks.py'),
          FUZZ_AUTH: JSON.stringify(auth),
          FUZZ_STATUS_LOG: statusLog,
          NO_COLOR: '1',
        },
      },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`\n      schemathesis (seed ${seed}, ${maxExamples} examples per operation, ${seconds} s):`);
    console.log(result.output.replace(/^/gm, '        '));
    const answers = await answersByOperation(statusLog);
    await rm(scratch, { recursive: true, force: true });
    const documented = allOperations().map((op) => `${op.method.toUpperCase()} ${op.path}`);
    console.log(answersTable(documented, answers).replace(/^/gm, '        '));
    assert.equal(result.code, 0, 'schemathesis reported failures (see its summary above)');

    // Refusals are declared answers too: without this, credentials that stopped working
    // would pass as a run of 401s. Every operation must have succeeded at least once.
    const neverSucceeded = documented.filter(
      (operation) => ![...(answers.get(operation)?.statuses.keys() ?? [])].some((status) => status < 300),
    );
    assert.deepEqual(neverSucceeded, [], 'operations the fuzzer never had a successful answer from');
  });
});
