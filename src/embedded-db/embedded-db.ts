import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger.js';

export interface EmbeddedDbExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  lastOutput: string[];
}

export interface EmbeddedDb {
  uri: string;
  /** The loopback port it listens on. */
  port: number;
  pid: number;
  /** Settles when the child process ends, for whatever reason. */
  exited: Promise<EmbeddedDbExit>;
  stop(): Promise<void>;
}

interface StartOptions {
  binary: string;
  dataDir: string;
  logger: Logger;
  /** The loopback port to listen on; a free one when absent. A restart passes the port it had, so connection strings stay valid. */
  port?: number;
  readyTimeoutMs?: number;
}

/**
 * Starts the project's embedded FerretDB program as a child process. The child binds a
 * free loopback port (or `port`), announces its URI on stdout, and exits when our end of
 * its stdin closes, so it cannot outlive this process even after a SIGKILL.
 */
export async function startEmbeddedDb({
  binary,
  dataDir,
  logger,
  port,
  readyTimeoutMs = 30_000,
}: StartOptions) {
  const log = logger.child({ component: 'embedded-db' });
  const args = ['--data-dir', dataDir, '--log-level', 'error', ...(port ? ['--port', String(port)] : [])];
  const child = spawn(binary, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lastOutput: string[] = [];

  createInterface({ input: child.stderr }).on('line', (line) => {
    lastOutput.push(line);
    if (lastOutput.length > 20) lastOutput.shift();
    log.error({ output: line }, 'embedded database error');
  });

  const exited = new Promise<EmbeddedDbExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, lastOutput }));
    child.once('error', (error) => {
      lastOutput.push(error.message);
      resolve({ code: null, signal: null, lastOutput });
    });
  });

  const announced = new Promise<string>((resolve) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(line));
  });

  const first = await Promise.race([
    announced.then((line) => ({ line })),
    exited.then((exit) => ({ exit })),
    // Unreferenced: a pending time-out must not keep a finished tool alive.
    delay(readyTimeoutMs, undefined, { ref: false }).then(() => ({ timeout: true as const })),
  ]);

  if (!('line' in first)) {
    child.kill('SIGKILL');
    const why =
      'exit' in first ? `exited with code ${first.exit.code}` : `was not ready after ${readyTimeoutMs} ms`;
    throw new Error(`The embedded database ${why}. Its last output:\n${lastOutput.join('\n')}`);
  }

  const { uri, address } = JSON.parse(first.line) as { uri: string; address: string };
  await waitForPort(address, readyTimeoutMs);
  log.info({ uri, pid: child.pid, dataDir }, 'embedded database ready');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = delay(5000, undefined, { ref: false }).then(() => 'timeout');
      if ((await Promise.race([once(child, 'exit'), timeout])) === 'timeout') child.kill('SIGKILL');
    })();
    return stopping;
  };

  return { uri, port: splitAddress(address)[1], pid: child.pid ?? -1, exited, stop } satisfies EmbeddedDb;
}

async function waitForPort(address: string, timeoutMs: number): Promise<void> {
  const [host, port] = splitAddress(address);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`The embedded database did not accept connections on ${address}`);
    await delay(50);
  }
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}
