import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import mongoose from 'mongoose';
import * as client from 'openid-client';
import { AuditEventModel } from '../../src/audit/audit-event.model.js';
import { ConsentModel } from '../../src/consents/consent.model.js';
import { FollowUpModel } from '../../src/outbox/follow-up.model.js';
import { verifyAuditLog } from '../../src/audit/audit-verifier.js';
import { databaseName } from '../../src/db/database.js';
import { startEmbeddedDb, type EmbeddedDb } from '../../src/embedded-db/embedded-db.js';
import { createLogger } from '../../src/logger.js';
import { embeddedDbBinary, projectRoot } from '../../src/paths.js';
import { testAuditKeyPem, testAuditKeys } from '../helpers/app.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';
import { connectedApp, consentsUrl, csrfOf } from '../helpers/oauth-client.js';
import { testDatabase } from '../helpers/root-hooks.js';
import { runProcess, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { figures, figuresTable } from './figures.js';
import { startFrontDoor } from './front-door.js';
import { backendHeader, breakdown, percentile, readOnce, startReaders, tally, type Read } from './readers.js';

/**
 * Faults under load (`npm run test:resilience`, and part of `npm test`). Everything runs
 * on loopback: a database of its own, the embedded FerretDB program run by the test as a
 * separate process on a fixed port and data directory (so it can be stopped and started
 * again where it was); server processes started as `npm start` would, with MONGODB_URI
 * pointing at it; and a front door (round-robin balancer) whose address is the issuer
 * apps use while processes behind it come and go. The scenarios run in order on the
 * same database and share the processes: the server killed in the second is replaced,
 * and the replacement serves the third and, with a second process, the fourth.
 */
describe('faults under load', function () {
  this.timeout(180_000);
  const readers = 50;
  const quiet = createLogger('silent');
  let dataDir: string;
  let dbPort: number;
  let db: EmbeddedDb;
  let frontDoor: Awaited<ReturnType<typeof startFrontDoor>>;
  const servers: (ServerProcess | undefined)[] = [];
  /** Every server process the run started, killed ones included, for their logs. */
  const started: ServerProcess[] = [];
  let serverEnv: Record<string, string>;

  const startDatabase = () =>
    startEmbeddedDb({ binary: embeddedDbBinary, dataDir: join(dataDir, 'db'), logger: quiet, port: dbPort });
  const startServer = async (slot: number) => {
    servers[slot] = await startServerProcess(serverEnv);
    started.push(servers[slot]);
    return servers[slot];
  };

  /**
   * The 200 answers that cannot be tied to a `data.accessed` event: the client sends its
   * own x-fapi-interaction-id, the server echoes it and records it as the event's
   * interactionId (so a 200 with the id not echoed counts as missing too).
   */
  /** A customer's consent, and `readers` clients reading its balances through the front door. */
  const readersOfBalances = async () => {
    const s = await connectedApp({ issuer: frontDoor.url }, ['ReadAccountsBasic', 'ReadBalances']);
    const load = startReaders(
      { issuer: frontDoor.url, c: s.c, accessToken: s.tokens.access_token },
      '/balances',
      readers,
    );
    return { s, load };
  };

  const withoutAuditEvent = async (reads: readonly Read[]) => {
    const recorded = new Set(
      (await AuditEventModel.find({ action: 'data.accessed' }, { interactionId: 1 }).lean()).map(
        (e) => e.interactionId,
      ),
    );
    return reads.filter((r) => r.status === 200 && !(r.echoed && recorded.has(r.interactionId)));
  };

  before(async function () {
    this.timeout(120_000);
    dataDir = await mkdtemp(join(tmpdir(), 'consent-manager-resilience-'));
    dbPort = await freePort();
    db = await startDatabase();
    // Setup (customers, apps) and the checks read and write this database directly.
    await mongoose.disconnect();
    await mongoose.connect(db.uri, { dbName: databaseName, autoIndex: false });
    frontDoor = await startFrontDoor(() => servers.map((s) => s?.baseUrl));
    serverEnv = {
      MONGODB_URI: db.uri,
      PUBLIC_URL: frontDoor.url,
      DEMO_DATA: 'never',
      DATA_DIR: dataDir,
      SESSION_SECRET: 'resilience-session-secret-long-enough-123',
      AUDIT_SIGNING_KEY: testAuditKeyPem,
      OAUTH_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString(),
      OAUTH_COOKIE_SECRET: 'resilience-cookie-secret-long-enough-4567',
      LOG_LEVEL: 'info',
    };
    await startServer(0);
  });

  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    // What the server processes said last, to tell why.
    servers.forEach((server, i) => {
      const said = server?.output.filter((line) => !line.includes('"request completed"')).slice(-15);
      if (said?.length) console.log(`\nserver ${i} (last lines):\n${said.join('\n')}`);
    });
  });

  after(async function () {
    this.timeout(60_000);
    await Promise.all(servers.map((s) => s?.stop('SIGKILL')));
    // Each process's log (a line per request, with its time) for a closer look at a run.
    const logs = join(projectRoot, 'test-artifacts', 'resilience');
    await mkdir(logs, { recursive: true });
    await Promise.all(
      started.map((s, i) => writeFile(join(logs, `server-${i + 1}.log`), `${s.output.join('\n')}\n`)),
    );
    await frontDoor?.close();
    await mongoose.disconnect();
    await db?.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (testDatabase.uri)
      await mongoose.connect(testDatabase.uri, { dbName: databaseName, autoIndex: false });
    if (figures.length) console.log(figuresTable(figures));
  });

  it(`database stopped while ${readers} clients read: only 503s while it is down, recovery without a restart, every 200 audited`, async () => {
    const { s, load } = await readersOfBalances();
    const cookie = await signIn(frontDoor.url, s.person, 0);
    await load.until((r) => r.status === 200, 30_000, 'a first 200');
    await delay(1500);

    const killedAt = performance.now();
    process.kill(db.pid, 'SIGKILL');
    await db.exited;
    // Meanwhile the other surfaces: the token endpoint (oidc-provider) and a signed-in page.
    const surfaces = delay(500).then(() =>
      Promise.all([tokenRequestStatus(s), pageStatus(frontDoor.url, cookie)]),
    );
    await delay(5000);
    const [tokenWhileDown, pageWhileDown] = await surfaces;
    const restartedAt = performance.now();
    db = await startDatabase();
    const upAt = performance.now();
    const firstOk = await load.until(
      (r) => r.status === 200 && r.startedAt >= upAt,
      60_000,
      'a 200 after the database returned',
    );
    await delay(2000);
    const reads = await load.stop();
    const pageAfter = await pageStatus(frontDoor.url, cookie);

    const down = reads.filter((r) => r.startedAt > killedAt && r.endedAt < restartedAt);
    const missing = await withoutAuditEvent(reads);
    const counts = tally(reads);
    figures.push({
      scenario: 'database stopped for 5 s',
      ...counts,
      auditChecked: counts.ok,
      auditMissing: missing.length,
      notes: [
        `statuses: ${breakdown(reads)}`,
        `${down.length} calls made wholly while it was down: ${tally(down).unavailable} answered 503 (p50 ${ms(percentile(down.map(latency), 50))}, max ${ms(Math.max(...down.map(latency)))})`,
        `recovery (same server process): first 200 answered ${ms(firstAnswered(reads, upAt) - upAt)} after the database accepted connections again; first 200 to a call made after that, ${ms(firstOk.endedAt - upAt)}`,
        `while down, the token endpoint answered ${tokenWhileDown} and a signed-in page ${pageWhileDown}; the same session's page after recovery ${pageAfter}`,
      ],
    });

    const statuses = (list: readonly Read[]) => [...new Set(list.map((r) => r.status))].sort();
    assert.ok(down.length > 0, 'calls were made while the database was down');
    assert.deepEqual(statuses(down), [503], 'only 503 while the database is down');
    assert.deepEqual(
      [...new Set(down.map((r) => r.errorCode))],
      ['U014'],
      'OB error bodies with the unavailable code',
    );
    assert.deepEqual(statuses(reads), [200, 503], 'nothing but 200 and 503 at any time');
    assert.ok(!reads.some((r) => r.status !== 200 && r.hasData), 'no data in a refusal');
    assert.deepEqual(missing, [], 'every 200 has its data.accessed event');
    assert.deepEqual([tokenWhileDown, pageWhileDown], [503, 503], 'token endpoint and pages answer 503 too');
    assert.equal(pageAfter, 200, 'the session outlived the outage');
    assert.equal(servers[0]!.child.exitCode, null, 'the server process kept running');
  });

  it(`server killed (SIGKILL) while ${readers} clients read: every 200 audited, and the chain verifies`, async () => {
    const { load } = await readersOfBalances();
    await load.until((r) => r.status === 200, 30_000, 'a first 200');
    await delay(2000);
    const killed = servers[0]!;
    servers[0] = undefined;
    await killed.stop('SIGKILL');
    const killedAt = performance.now();
    // A replacement joins behind the front door, as a supervisor would start one.
    await startServer(0);
    await load.until((r) => r.status === 200 && r.startedAt > killedAt, 60_000, 'a 200 from the replacement');
    await delay(1500);
    const reads = await load.stop();

    const missing = await withoutAuditEvent(reads);
    const verified = await verifyAuditLog(testAuditKeys);
    // And as an operator would check it: npm run audit:verify against the same database.
    const cli = await runProcess(['--import', 'tsx', 'src/cli/audit-verify.ts'], {
      MONGODB_URI: db.uri,
      AUDIT_SIGNING_KEY: testAuditKeyPem,
      DATA_DIR: dataDir,
    });
    const counts = tally(reads);
    figures.push({
      scenario: 'server SIGKILLed, replaced',
      ...counts,
      auditChecked: counts.ok,
      auditMissing: missing.length,
      notes: [
        `statuses: ${breakdown(reads)}`,
        `${reads.filter((r) => r.status === 0).length} connections cut and ${reads.filter((r) => r.status === 502).length} 502s from the front door while no process was up`,
        `audit chain after the crash and the replacement's writes: ${verified.ok ? 'verifies' : `BROKEN (${verified.problem?.message})`}, ${verified.lastSeq} events; npm run audit:verify exit code ${cli.code}`,
      ],
    });
    assert.deepEqual(missing, [], 'every 200 a client saw has its data.accessed event');
    assert.ok(!reads.some((r) => r.status !== 200 && r.hasData), 'no data in a refusal');
    assert.equal(verified.problem, undefined);
    assert.ok(verified.ok);
    assert.equal(cli.code, 0, cli.output);
    assert.match(cli.output, /Audit log intact/);
  });

  it('server killed (SIGKILL) while apps withdraw consents: every withdrawal that took effect has its follow-up carried out by the replacement', async () => {
    // Each withdrawal records its follow-up (grant destroyed, app told) in the outbox before the
    // audit event commits it, and carries it out straight after; a process killed between the
    // two leaves it owed, and the replacement's worker must carry it out.
    const apps = [];
    for (let i = 0; i < 16; i += 1)
      apps.push(await connectedApp({ issuer: frontDoor.url }, ['ReadAccountsBasic']));
    const killed = servers[0]!;
    let firstAnswer!: () => void;
    const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
    const withdrawals = apps.map((s) =>
      revokeAsApp(frontDoor.url, s)
        .catch(() => 0)
        .then((status) => (firstAnswer(), status)),
    );
    await answered;
    servers[0] = undefined;
    await killed.stop('SIGKILL');
    const statuses = await Promise.all(withdrawals);
    const owedAtKill = await FollowUpModel.countDocuments({});
    const restartedAt = performance.now();
    await startServer(0);
    let owed = owedAtKill;
    while (owed > 0 && performance.now() - restartedAt < 60_000) {
      await delay(250);
      owed = await FollowUpModel.countDocuments({});
    }
    const settledIn = performance.now() - restartedAt;

    const outcomes = await Promise.all(
      apps.map(async (s, i) => {
        const consent = await ConsentModel.findById(s.consentId).lean();
        const read = await readOnce(
          { issuer: frontDoor.url, c: s.c, accessToken: s.tokens.access_token },
          '/accounts',
        );
        return { acknowledged: statuses[i] === 204, status: consent?.status, read };
      }),
    );
    const reads = outcomes.map((o) => o.read);
    const ended = outcomes.filter((o) => o.status === 'CANC');
    const counts = tally(reads);
    figures.push({
      scenario: 'server SIGKILLed mid-withdrawal',
      ...counts,
      auditChecked: counts.ok,
      auditMissing: (await withoutAuditEvent(reads)).length,
      notes: [
        `${apps.length} withdrawals sent; answered before the kill: ${breakdown(statuses.map((status) => ({ status }) as Read))}`,
        `${ended.length} consents cancelled in the database; ${owedAtKill} follow-ups owed when the process died, all carried out by the replacement ${ms(settledIn)} after it was started (a change whose writer may still be recording it is left alone for 30 s)`,
        `reads with the tokens afterwards: ${breakdown(reads)} (401: grant destroyed; 200: the withdrawal never reached the database)`,
      ],
    });
    assert.equal(owed, 0, 'no follow-up left owed');
    for (const o of outcomes) {
      if (o.acknowledged) assert.equal(o.status, 'CANC', 'an acknowledged withdrawal is in the database');
      if (o.status === 'CANC') assert.equal(o.read.status, 401, "a cancelled consent's grant is destroyed");
      else assert.equal(o.read.status, 200, 'a consent the withdrawal never reached still works');
    }
  });

  it(`consent revoked while ${readers} clients read: no read that started after the revoke response succeeds`, async () => {
    const { s, load } = await readersOfBalances();
    await load.until((r) => r.status === 200, 30_000, 'a first 200');
    await delay(1500);
    const revokeSentAt = performance.now();
    assert.equal(await revokeAsApp(frontDoor.url, s), 204);
    const revokedAt = performance.now();
    await load.until((r) => r.startedAt > revokedAt && r.status !== 200, 30_000, 'a refusal');
    await delay(1500);
    const reads = await load.stop();

    const late = reads.filter((r) => r.startedAt > revokedAt);
    const lateSuccesses = late.filter((r) => r.status === 200);
    const inFlight = reads.filter((r) => r.startedAt <= revokedAt && r.endedAt > revokeSentAt);
    const missing = await withoutAuditEvent(reads);
    const counts = tally(reads);
    figures.push({
      scenario: 'consent revoked mid-load',
      ...counts,
      auditChecked: counts.ok,
      auditMissing: missing.length,
      notes: [
        `statuses: ${breakdown(reads)} (401: the revoked consent's token is dead; 403 U009: consent no longer authorised)`,
        `${late.length} reads started after the revoke response (204 in ${ms(revokedAt - revokeSentAt)}): ${lateSuccesses.length} succeeded; ${inFlight.length} were in flight during the revocation (${breakdown(inFlight)})`,
      ],
    });
    assert.ok(late.length >= readers, 'every client read again after the revocation');
    assert.deepEqual(lateSuccesses, [], 'no read that started after the revoke response succeeded');
    assert.deepEqual(missing, [], 'every 200 has its data.accessed event');
  });

  it('two server processes on one database: sessions across both, a revocation seen by both within 1 s, the chain verifies', async () => {
    await startServer(1);
    const [a, b] = [0, 1];

    // A session made through one process serves pages on the other, and ends on both.
    const { person } = await createCustomerWithAccounts(5);
    const cookie = await signIn(frontDoor.url, person, a);
    const accounts = await fetch(`${frontDoor.url}/my/accounts`, {
      headers: { cookie, [backendHeader]: String(b) },
    });
    assert.equal(accounts.status, 200, 'the session made on A is good on B');
    const signedOut = await fetch(`${frontDoor.url}/signout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, [backendHeader]: String(b), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfOf(await accounts.text()) }),
    });
    assert.equal(signedOut.status, 303);
    const afterSignout = await fetch(`${frontDoor.url}/my/accounts`, {
      redirect: 'manual',
      headers: { cookie, [backendHeader]: String(a) },
    });
    assert.equal(afterSignout.status, 303, 'signed out on B is signed out on A');

    // Readers on both processes; the app revokes through A; both refuse at once.
    const s = await connectedApp({ issuer: frontDoor.url }, ['ReadAccountsBasic', 'ReadBalances']);
    const reader = { issuer: frontDoor.url, c: s.c, accessToken: s.tokens.access_token };
    const perProcess = 5;
    const load = startReaders(reader, '/balances', 2 * perProcess, (i) => i % 2);
    await load.until((r) => r.status === 200 && r.backend === b, 30_000, 'a 200 from B');
    await load.until((r) => r.status === 200 && r.backend === a, 30_000, 'a 200 from A');
    await delay(1000);
    assert.equal(await revokeAsApp(frontDoor.url, s, a), 204);
    const revokedAt = performance.now();
    const probes = await Promise.all([readOnce(reader, '/balances', a), readOnce(reader, '/balances', b)]);
    await delay(1000);
    const reads = await load.stop();

    const late = reads.filter((r) => r.startedAt > revokedAt);
    const seenAfter = probes.map((p) => p.endedAt - revokedAt);
    const missing = await withoutAuditEvent(reads);
    const served = (backend: number) => reads.filter((r) => r.status === 200 && r.backend === backend).length;
    const verified = await verifyAuditLog(testAuditKeys);
    const counts = tally(reads);
    figures.push({
      scenario: 'two processes, one database',
      ...counts,
      auditChecked: counts.ok,
      auditMissing: missing.length,
      notes: [
        `statuses: ${breakdown(reads)}; 200s served by A ${served(a)}, by B ${served(b)}`,
        `session made on A used on B, signed out on B, refused on A`,
        `revocation through A refused by A in ${ms(seenAfter[0]!)} and by B in ${ms(seenAfter[1]!)} after the revoke response; ${late.filter((r) => r.status === 200).length} of ${late.length} later reads succeeded`,
        `audit chain after both wrote to it: ${verified.ok ? 'verifies' : `BROKEN (${verified.problem?.message})`}, ${verified.lastSeq} events`,
      ],
    });
    assert.ok(
      probes.every((p) => p.status === 401 || p.status === 403),
      `the revoked consent is refused by both processes (${breakdown(probes)})`,
    );
    assert.ok(
      seenAfter.every((t) => t < 1000),
      `revocation seen by both within 1 s (${seenAfter.map(ms).join(', ')})`,
    );
    assert.deepEqual(
      late.filter((r) => r.status === 200),
      [],
      'no read that started after the revoke response succeeded',
    );
    assert.ok(served(a) > 0 && served(b) > 0, 'both processes served reads (and wrote their audit events)');
    assert.deepEqual(missing, [], 'every 200 has its data.accessed event');
    assert.equal(verified.problem, undefined);
    assert.ok(verified.ok);
  });
});

const latency = (r: Read) => r.endedAt - r.startedAt;
const firstAnswered = (reads: readonly Read[], after: number) =>
  Math.min(...reads.filter((r) => r.status === 200 && r.endedAt >= after).map((r) => r.endedAt));

/** The app withdraws the consent (DELETE /account-access-consents/{id}), through process `backend` if given. */
async function revokeAsApp(
  issuer: string,
  s: Awaited<ReturnType<typeof connectedApp>>,
  backend?: number,
): Promise<number> {
  const cc = await client.clientCredentialsGrant(s.c.config, { scope: 'accounts' }, { DPoP: s.c.DPoP });
  const headers = new Headers();
  if (backend !== undefined) headers.set(backendHeader, String(backend));
  const res = await client.fetchProtectedResource(
    s.c.config,
    cc.access_token,
    new URL(`${consentsUrl(issuer)}/${s.consentId}`),
    'DELETE',
    undefined,
    headers,
    { DPoP: s.c.DPoP },
  );
  return res.status;
}

/** The status of a client credentials token request (the app's first step of every API use). */
async function tokenRequestStatus(s: Awaited<ReturnType<typeof connectedApp>>): Promise<number> {
  try {
    await client.clientCredentialsGrant(s.c.config, { scope: 'accounts' }, { DPoP: s.c.DPoP });
    return 200;
  } catch (error) {
    const e = error as { status?: number; response?: Response; cause?: { status?: number } };
    return e.status ?? e.response?.status ?? e.cause?.status ?? 0;
  }
}

/** The status of the customer's accounts page for a session cookie. */
async function pageStatus(issuer: string, cookie: string): Promise<number> {
  const res = await fetch(`${issuer}/my/accounts`, { redirect: 'manual', headers: { cookie } });
  await res.arrayBuffer();
  return res.status;
}

/** Signs in through process `backend` as a browser would; returns the session cookie. */
async function signIn(issuer: string, person: { email: string; password: string }, backend: number) {
  const pinned = { [backendHeader]: String(backend) };
  const page = await fetch(`${issuer}/signin`, { headers: pinned });
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(`${issuer}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...pinned, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      _csrf: csrfOf(await page.text()),
      email: person.email,
      password: person.password,
    }),
  });
  assert.equal(res.status, 303, 'signed in');
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
