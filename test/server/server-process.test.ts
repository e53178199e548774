import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, startServerProcess, runProcess, type ServerProcess } from '../helpers/server-process.js';
import { csrfFrom } from '../helpers/agent.js';

/** Signs in over plain HTTP, as a browser would, and returns the accounts page. */
async function signInAndReadAccounts(baseUrl: string, email: string, password: string) {
  const page = await fetch(`${baseUrl}/signin`);
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = csrfFrom(await page.text());
  const signin = await fetch(`${baseUrl}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password }),
  });
  assert.equal(signin.status, 303, `sign-in as ${email}`);
  const session = signin.headers.get('set-cookie')!.split(';')[0]!;
  const accounts = await fetch(`${baseUrl}/my/accounts`, { headers: { cookie: session } });
  assert.equal(accounts.status, 200);
  return accounts.text();
}

describe('the server process', function () {
  this.timeout(120_000);
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'consent-manager-server-'));
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('with a bad setting, refuses to start and names the variable', async () => {
    const { code, output } = await runProcess(['--import', 'tsx', 'src/server.ts'], {
      DATA_DIR: dataDir,
      PORT: 'not-a-port',
      SIGNIN_MAX_FAILURES_PER_ACCOUNT: '-1',
    });
    assert.equal(code, 78);
    assert.match(output, /PORT:/);
    assert.match(output, /SIGNIN_MAX_FAILURES_PER_ACCOUNT:/);
  });

  it('reads its settings from .env in the folder it starts in, and the environment wins over the file', async () => {
    const folder = join(dataDir, 'operator');
    await mkdir(folder);
    const port = await freePort();
    await writeFile(
      join(folder, '.env'),
      `# as copied from .env.example\nPORT=${port}\nLOG_LEVEL=silent\nDATA_DIR=${join(dataDir, 'data')}\n`,
    );
    // Without ENV_FILE the server reads .env in its working folder; LOG_LEVEL set here beats the file's.
    server = await startServerProcess(
      { ENV_FILE: undefined, PORT: undefined, LOG_LEVEL: 'info' },
      60_000,
      folder,
    );
    assert.equal(server.baseUrl, `http://127.0.0.1:${port}`, 'PORT came from .env');
    assert.equal((await fetch(`${server.baseUrl}/signin`)).status, 200);
    const record = await readRecord(join(dataDir, 'data'));
    assert.equal(record.ownerPid, server.child.pid, 'DATA_DIR came from .env');
  });

  it('on an empty embedded database seeds demo data, and keeps it across a restart', async () => {
    server = await startServerProcess({ DATA_DIR: dataDir });
    assert.ok(
      server.output.some((line) => line.includes('alice@example.com')),
      'prints the demo sign-ins',
    );
    const first = await signInAndReadAccounts(server.baseUrl, 'alice@example.com', 'alice-demo-pass');
    assert.match(first, /Main account/);
    assert.match(first, /Credit card/);

    assert.equal(await server.stop('SIGTERM'), 0, 'graceful shutdown exits 0');
    const record = await readFile(join(dataDir, 'embedded-db.json'), 'utf8').catch(() => undefined);
    assert.equal(record, undefined, 'the embedded database record is removed on exit');

    server = await startServerProcess({ DATA_DIR: dataDir });
    assert.ok(!server.output.some((line) => line.includes('Demo data created')), 'does not seed twice');
    const second = await signInAndReadAccounts(server.baseUrl, 'alice@example.com', 'alice-demo-pass');
    assert.equal(second.match(/£[\d,.]+/g)?.join(), first.match(/£[\d,.]+/g)?.join(), 'same balances');
  });

  it('lets command-line tools use the running server’s embedded database, and refuses a second server', async () => {
    server = await startServerProcess({ DATA_DIR: dataDir });
    const seeded = await runProcess(
      [
        '--import',
        'tsx',
        'src/cli/seed.ts',
        '--seed',
        'tool',
        '--customers',
        '1',
        '--transactions-per-account',
        '5',
      ],
      { DATA_DIR: dataDir },
    );
    assert.equal(seeded.code, 0, seeded.output);
    assert.match(seeded.output, /New records: 1 users, 2 accounts, 10 transactions/);
    const { generateCustomer } = await import('../../src/seed/bank-data-generator.js');
    const page = await signInAndReadAccounts(
      server.baseUrl,
      generateCustomer('tool', 0).email,
      'customer-demo-pass',
    );
    assert.match(page, /Main account/);

    const second = await runProcess(['--import', 'tsx', 'src/server.ts'], { DATA_DIR: dataDir, PORT: '0' });
    assert.equal(second.code, 1);
    assert.match(second.output, /is being served by process \d+ \(server\)/);
  });

  it('when the embedded database dies, restarts it on the same port and keeps serving', async () => {
    server = await startServerProcess({ DATA_DIR: dataDir });
    const before = await readRecord(dataDir);
    process.kill(before.dbPid, 'SIGKILL');
    const after = await nextRecord(dataDir, before.dbPid, server);
    assert.equal(after.uri, before.uri, 'same address, so the connection reconnects by itself');
    assert.ok(server.output.some((line) => line.includes('the embedded database stopped unexpectedly')));
    assert.ok(server.output.some((line) => line.includes('embedded database restarted')));
    const page = await signInAndReadAccounts(server.baseUrl, 'alice@example.com', 'alice-demo-pass');
    assert.match(page, /Main account/, 'the data is still there');
    assert.equal(server.child.exitCode, null, 'the server kept running');
  });

  it('when the embedded database keeps dying, logs why and exits non-zero', async () => {
    server = await startServerProcess({ DATA_DIR: dataDir, DEMO_DATA: 'never' });
    // Three restarts a minute are allowed; the fourth death gives up.
    let record = await readRecord(dataDir);
    for (let death = 1; death <= 3; death++) {
      process.kill(record.dbPid, 'SIGKILL');
      record = await nextRecord(dataDir, record.dbPid, server);
    }
    process.kill(record.dbPid, 'SIGKILL');
    const code = await Promise.race([server.exited, delay(15_000).then(() => 'still running')]);
    assert.equal(code, 1);
    assert.ok(server.output.some((line) => line.includes('the embedded database keeps stopping; exiting')));
  });
});

interface DbRecord {
  uri: string;
  ownerPid: number;
  dbPid: number;
}

async function readRecord(dataDir: string): Promise<DbRecord> {
  return JSON.parse(await readFile(join(dataDir, 'embedded-db.json'), 'utf8')) as DbRecord;
}

/** Waits until the server records a database process other than `pid` (its restart). */
async function nextRecord(dataDir: string, pid: number, server: ServerProcess): Promise<DbRecord> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const record = await readRecord(dataDir).catch(() => undefined);
    if (record && record.dbPid !== pid) return record;
    if (server.child.exitCode !== null) throw new Error(`server exited:\n${server.output.join('\n')}`);
    if (Date.now() > deadline) throw new Error('the embedded database was not restarted');
    await delay(100);
  }
}
