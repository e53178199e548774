import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../src/paths.js';
import { freePort } from '../helpers/server-process.js';

/** The commands in the README's `sh` blocks, continuation lines joined, comments dropped. */
async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(join(projectRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, '').split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

/**
 * How each command is checked. A command added to the README without a row here, or a row
 * whose command left the README, fails the suite. Commands run as written, through the
 * shell, in the order a newcomer meets them; only the environment is set (a throwaway
 * DATA_DIR, a free port) so the run touches nothing of the developer's.
 */
const checks: Record<string, 'run' | 'start' | 'is this run' | 'starts the example app'> = {
  'npm install && npm start': 'start',
  'npm install && npm test': 'is this run',
  'npm run seed -- --customers 100 --accounts-per-customer 2 --transactions-per-account 200 --seed demo':
    'run',
  'npm run app:keys -- --out budgetbuddy': 'run',
  'npm run app:register -- --name "Budget Buddy" --redirect-uri https://budgetbuddy.example/cb --jwks-file budgetbuddy-jwks.json --webhook-url https://budgetbuddy.example/hooks --purpose "Shows your spending by category across your banks." --legal-name "Budget Buddy Ltd" --registration "FCA firm reference 987654"':
    'run',
  'npm run audit:verify': 'run',
  'npm run example': 'starts the example app',
};

interface Running {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function shell(command: string, cwd: string, env: Record<string, string>): Running {
  // Its own process group, so stopping it stops npm's children too.
  const child = spawn('bash', ['-c', command], { cwd, env: { ...process.env, ...env }, detached: true });
  const output: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => output.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  return { child, output, exited: once(child, 'exit').then(([code]) => code as number | null) };
}

async function waitForLine(running: Running, pattern: RegExp, what: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!running.output.some((line) => pattern.test(line))) {
    if (running.child.exitCode !== null) throw new Error(`${what} exited:\n${running.output.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start:\n${running.output.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ctrl-C, as in a terminal: SIGINT to npm and everything it started. */
async function stop(running: Running | undefined): Promise<void> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  process.kill(-running.child.pid!, 'SIGINT');
  await running.exited;
}

describe('the README', function () {
  this.timeout(300_000);
  let home: string;
  let workFolder: string;
  let server: Running | undefined;
  let example: Running | undefined;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'consent-manager-readme-'));
    // Inside the project, so npm finds it; files the commands write land here (INIT_CWD).
    workFolder = join(projectRoot, 'test-artifacts', `readme-${process.pid}`);
    await mkdir(workFolder, { recursive: true });
  });
  after(async () => {
    await stop(example);
    await stop(server);
    await rm(home, { recursive: true, force: true });
    await rm(workFolder, { recursive: true, force: true });
  });

  it('has a check for each of its shell commands, and each command is in it', async () => {
    assert.deepEqual((await readmeCommands()).sort(), Object.keys(checks).sort());
  });

  it('names only npm scripts that exist', async () => {
    const readme = await readFile(join(projectRoot, 'README.md'), 'utf8');
    const { scripts } = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const named = new Set([...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!));
    assert.deepEqual(
      [...named].filter((name) => !(name in scripts)),
      [],
    );
  });

  it("is what CI runs: .ci/run calls the README's test command", async () => {
    const ci = await readFile(join(projectRoot, '.ci', 'run'), 'utf8');
    const testCommand = Object.keys(checks).find((command) => checks[command] === 'is this run')!;
    assert.ok(ci.split('\n').includes(testCommand), `.ci/run runs "${testCommand}"`);
  });

  it('each command runs as written on this clone, in the order a newcomer meets them', async () => {
    const port = await freePort();
    const env = { DATA_DIR: join(home, 'data'), PORT: String(port), ENV_FILE: devNull, LOG_LEVEL: 'info' };
    const bankUrl = `http://localhost:${port}`;
    for (const [command, check] of Object.entries(checks)) {
      if (check === 'is this run') continue;
      if (check === 'start') {
        // npm install has run already (it is how this suite started); run what follows it.
        server = shell(command.replace(/^npm install && /, ''), projectRoot, env);
        await waitForLine(server, /consent manager listening/, 'the server');
        assert.ok(
          server.output.some((line) => line.includes('alice@example.com')),
          'prints the demo sign-ins',
        );
        assert.equal((await fetch(`${bankUrl}/signin`)).status, 200, `${command}: the sign-in page`);
      } else if (check === 'starts the example app') {
        const examplePort = await freePort();
        example = shell(command, workFolder, {
          ...env,
          BANK_URL: bankUrl,
          EXAMPLE_PORT: String(examplePort),
        });
        await waitForLine(example, /Budget Buddy \(client_id/, 'the example app');
        const page = await fetch(`http://localhost:${examplePort}/`);
        assert.equal(page.status, 200, `${command}: its home page`);
        assert.match(await page.text(), /Connect your bank/);
      } else {
        const done = shell(command, workFolder, env);
        const code = await done.exited;
        assert.equal(code, 0, `${command} exited ${code}:\n${done.output.join('\n')}`);
      }
    }
    await stop(example);
    await stop(server);
    assert.ok(
      server!.output.some((line) => line.includes('"msg":"stopped"')),
      `the server shuts down cleanly on Ctrl-C:\n${server!.output.slice(-5).join('\n')}`,
    );
  });
});
