import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { testAuditKeyPem } from '../helpers/app.js';
import { connectedApp, consentsUrl, readData } from '../helpers/oauth-client.js';
import { testDatabase } from '../helpers/root-hooks.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

/** A round-robin load balancer on loopback, as several server processes would sit behind. */
function balancer(targets: () => string[]): Server {
  let next = 0;
  return createServer((req, res) => {
    const target = new URL(targets()[next++ % targets().length]!);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
}

describe('two server processes on one database', function () {
  this.timeout(120_000);
  let processes: ServerProcess[] = [];
  let proxy: Server;
  let issuer: string;

  before(async () => {
    proxy = balancer(() => processes.map((p) => p.baseUrl));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const env = {
      MONGODB_URI: testDatabase.uri,
      PUBLIC_URL: issuer,
      DEMO_DATA: 'never',
      SESSION_SECRET: 'two-process-session-secret-long-enough-123',
      AUDIT_SIGNING_KEY: testAuditKeyPem,
      OAUTH_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString(),
      OAUTH_COOKIE_SECRET: 'two-process-cookie-secret-long-enough-456',
      DATA_DIR: testDatabase.dataDir,
      LOG_LEVEL: 'info',
    };
    // Both at once, as a deployment starts them; one that started is stopped after even if the other did not.
    const started = await Promise.allSettled([startServerProcess(env), startServerProcess(env)]);
    processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    proxy?.close();
  });

  it('sign-in, consent and reads work across both; a revocation through one is seen by the other at once', async () => {
    const s = await connectedApp({ issuer }, ['ReadAccountsBasic', 'ReadBalances']);
    for (let i = 0; i < 4; i++) {
      assert.equal(
        (await readData(issuer, s.c, s.tokens.access_token, '/balances')).status,
        200,
        `read ${i} (process ${i % 2})`,
      );
    }
    const cc = await client.clientCredentialsGrant(s.c.config, { scope: 'accounts' }, { DPoP: s.c.DPoP });
    const deleted = await client.fetchProtectedResource(
      s.c.config,
      cc.access_token,
      new URL(`${consentsUrl(issuer)}/${s.consentId}`),
      'DELETE',
      undefined,
      undefined,
      { DPoP: s.c.DPoP },
    );
    assert.equal(deleted.status, 204);
    for (let i = 0; i < 6; i++) {
      assert.equal(
        (await readData(issuer, s.c, s.tokens.access_token, '/balances')).status,
        401,
        `read ${i} after revocation`,
      );
    }
  });
});
