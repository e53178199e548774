import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import mongoose from 'mongoose';
import * as client from 'openid-client';
import { createApp } from '../../src/app.js';
import { createAuditLog, type AuditLog } from '../../src/audit/audit-log.js';
import { createLogger } from '../../src/logger.js';
import { testAuditKeyPem, testAuditKeys, testConfig, testOAuthSecrets } from '../helpers/app.js';
import { signedInAgent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';
import { connectedApp, readData, TestBrowser, csrfOf } from '../helpers/oauth-client.js';
import { downloadText, prepareExport } from '../helpers/exports.js';
import { allPermissions } from './world.js';

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Every secret the journey sends or receives, as it travels: request headers and bodies,
 * Set-Cookie lines and token responses, seen by wrapping fetch around the test's clients.
 */
class SecretCollector {
  readonly secrets = new Map<string, string>();
  private original = globalThis.fetch;

  add(kind: string, value: string | undefined | null) {
    if (!value || value.length < 8 || this.secrets.has(value)) return;
    this.secrets.set(value, kind);
    // Tokens and proofs are JWTs or opaque strings; their parts should not leak either.
    for (const part of value.split('.'))
      if (part.length >= 24 && part !== value) this.secrets.set(part, `${kind} (part)`);
  }

  addCookies(lines: string[]) {
    for (const line of lines) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const value = pair!.slice(at + 1);
      // The authorisation server's interaction cookies hold the interaction's id, which is also
      // in its URL (/oauth/interaction/<id>) by design; their signatures (`.sig`) are the secret.
      if (/^_interaction(_resume)?$/.test(pair!.slice(0, at))) continue;
      this.add(`cookie ${pair!.slice(0, at)}`, value);
      this.add(`cookie ${pair!.slice(0, at)}`, decodeURIComponent(value));
    }
  }

  install() {
    const original = this.original;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      this.add('DPoP proof', headers.get('dpop'));
      this.add('access token', headers.get('authorization')?.replace(/^\w+ /, ''));
      for (const c of headers.get('cookie')?.split('; ') ?? []) this.addCookies([c]);
      const body = init?.body;
      if (body instanceof URLSearchParams || typeof body === 'string') {
        const params = new URLSearchParams(
          body instanceof URLSearchParams ? body : body.startsWith('{') ? '' : body,
        );
        for (const key of [
          'client_assertion',
          'code',
          'code_verifier',
          'refresh_token',
          '_csrf',
          'password',
          'request_uri',
        ]) {
          for (const value of params.getAll(key)) this.add(key, value);
        }
      }
      const res = await original(input, init);
      this.addCookies(res.headers.getSetCookie());
      if (/json/.test(res.headers.get('content-type') ?? '')) {
        const json = (await res
          .clone()
          .json()
          .catch(() => ({}))) as Record<string, unknown>;
        for (const key of ['access_token', 'refresh_token', 'id_token', 'request_uri']) {
          if (typeof json[key] === 'string') this.add(key, json[key]);
        }
      }
      return res;
    };
  }

  uninstall() {
    globalThis.fetch = this.original;
  }
}

describe('logs carry no secrets and no card numbers, through a whole journey', function () {
  this.timeout(60_000);
  const lines: string[] = [];
  const collector = new SecretCollector();
  let server: Server;
  let issuer: string;
  let app: ReturnType<typeof createApp>['app'];
  let audit: AuditLog;

  before(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    // The most verbose level, so nothing logged anywhere escapes the scan.
    const logger = createLogger('trace', stream);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = testConfig({ PUBLIC_URL: issuer, TRUST_PROXY: 'false', LOG_LEVEL: 'trace' });
    audit = createAuditLog({ keys: testAuditKeys, logger });
    ({ app } = createApp({
      config,
      logger,
      sessionSecret: config.SESSION_SECRET!,
      mongoClient: mongoose.connection.getClient(),
      audit,
      oauthSecrets: testOAuthSecrets,
    }));
    server.on('request', app);
    collector.install();
  });
  after(async () => {
    collector.uninstall();
    await audit?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('sign-in (wrong, then right), consent, token exchange and refresh, ReadPAN reads, refusals, revocation and compliance exports log none of them', async () => {
    // The journey: a customer connects an app with every permission, including ReadPAN.
    const linked = await connectedApp({ issuer }, allPermissions, { transactions: 30 });
    collector.add('password', linked.person.password);
    for (const account of linked.accounts) collector.add('full card number', account.pan);

    // A wrong password first, in a browser of its own.
    const browser = new TestBrowser();
    const signin = await browser.fetch(`${issuer}/signin`);
    const guess = `guess-${linked.person.password.slice(3)}`;
    collector.add('password guess', guess);
    await browser.postForm(`${issuer}/signin`, {
      _csrf: csrfOf(await signin.text()),
      email: linked.person.email,
      password: guess,
    });

    const read = (path: string, token = linked.tokens.access_token) =>
      readData(issuer, linked.c, token, path);
    const accounts = await read('/accounts');
    assert.equal(accounts.status, 200);
    const pans = JSON.stringify(accounts.body);
    assert.ok(
      linked.accounts.some((a) => pans.includes(a.pan)),
      'the response carries full card numbers (ReadPAN)',
    );
    for (const path of [
      '/balances',
      '/transactions',
      `/accounts/${linked.accounts[1]!.accountId}/transactions`,
    ])
      assert.equal((await read(path)).status, 200, path);
    const refreshed = await client.refreshTokenGrant(
      linked.c.config,
      linked.tokens.refresh_token!,
      undefined,
      {
        DPoP: linked.c.DPoP,
      },
    );
    assert.equal((await read('/accounts', refreshed.access_token)).status, 200);
    // Refusals: an unknown token, and a token without its DPoP proof.
    assert.equal((await read('/accounts', 'not-a-real-token-but-long-enough')).status, 401);
    const bare = await fetch(`${issuer}/open-banking/v4.0/aisp/accounts`, {
      headers: { authorization: `DPoP ${refreshed.access_token}` },
    });
    assert.equal(bare.status, 401);

    // The customer revokes on the dashboard.
    const customer = await signedInAgent(app, linked.person);
    collector.add('CSRF token', customer.csrf);
    await customer.agent
      .post(`/my/apps/${linked.consentId}/revoke`)
      .type('form')
      .send({ _csrf: customer.csrf })
      .expect(303);
    assert.equal((await read('/accounts', refreshed.access_token)).status, 401);

    // A compliance officer exports the log and an evidence pack.
    const officer = await createPerson('compliance');
    collector.add('password', officer.password);
    const staff = await signedInAgent(app, officer);
    collector.add('CSRF token', staff.csrf);
    for (const res of [
      await staff.agent.get(`/api/compliance/export?format=jsonl&consentId=${linked.consentId}`).expect(200),
      await downloadText(
        staff.agent,
        (await prepareExport(staff.agent, staff.csrf, { format: 'csv', consentId: linked.consentId })).id,
      ),
      await staff.agent.get(`/api/compliance/evidence-pack?consentId=${linked.consentId}`).expect(200),
    ]) {
      collector.addCookies((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []);
    }
    await staff.agent.post('/api/compliance/checkpoints').set('x-csrf-token', staff.csrf).expect(201);

    // The keys the server holds.
    collector.add('audit signing key', testAuditKeyPem.replace(/-----[A-Z ]+-----|\s/g, ''));
    collector.add(
      'audit signing key (d)',
      (createPrivateKey(testAuditKeyPem).export({ format: 'jwk' }) as { d: string }).d,
    );
    collector.add('audit MAC key', testAuditKeys.macKey.toString('hex'));
    collector.add('audit MAC key', testAuditKeys.macKey.toString('base64'));
    collector.add('OAuth signing key (d)', testOAuthSecrets.jwks.keys[0]!.d as string);
    collector.add('receipt signing key (d)', testOAuthSecrets.receiptKey.privateJwk.d as string);
    collector.add('webhook signing key (d)', testOAuthSecrets.webhookKey.privateJwk.d as string);
    collector.add('OAuth cookie secret', testOAuthSecrets.cookieKeys[0]);
    collector.add('session secret', testConfig().SESSION_SECRET);

    // The scan.
    const kinds = new Set(collector.secrets.values());
    for (const kind of [
      'password',
      'password guess',
      'full card number',
      'access token',
      'access_token',
      'refresh_token',
      'id_token',
      'client_assertion',
      'DPoP proof',
      'code',
      'code_verifier',
      '_csrf',
      'cookie cm.sid',
    ]) {
      assert.ok(kinds.has(kind), `the journey produced a ${kind} to look for`);
    }
    assert.ok(lines.length > 30, `${lines.length} log lines`);
    assert.ok(
      lines.some((l) => l.includes('/open-banking/v4.0/aisp/accounts')),
      'the capture holds the request lines',
    );
    const leaksIn = (text: string) => [
      ...new Set(
        [...collector.secrets]
          .filter(([secret]) => text.includes(secret) || text.includes(encodeURIComponent(secret)))
          .map(([, kind]) => kind),
      ),
    ];
    // And no card number at all, known or not: any run of 13 to 19 digits passing the Luhn check.
    const cardNumbersIn = (logLines: string[]) =>
      logLines.flatMap((line) => {
        const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return [...JSON.stringify(rest).matchAll(/(?<!\d)\d{13,19}(?!\d)/g)]
          .map((m) => m[0])
          .filter(luhnValid);
      });
    // The scan finds what it looks for.
    assert.deepEqual(leaksIn(`{"msg":"x","token":"${refreshed.access_token}"}`), ['access_token']);
    assert.equal(cardNumbersIn([`{"time":1,"msg":"card ${linked.accounts[1]!.pan}"}`]).length, 1);

    assert.deepEqual(leaksIn(lines.join('\n')), [], 'secrets found in the log');
    assert.deepEqual(cardNumbersIn(lines), [], 'Luhn-valid digit runs in the log');
  });
});
