import { once } from 'node:events';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { createApp } from '../../src/app.js';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { auditKeysFromPem, generateAuditKeyPem } from '../../src/audit/audit-keys.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { oauthSecretsFrom } from '../../src/oauth/oauth-keys.js';
import {
  authoriseSignedIn,
  type connectedApp,
  createConsentAs,
  csrfOf,
  exchangeCode,
  TestBrowser,
} from '../../test/helpers/oauth-client.js';

/**
 * The bank as the bench runs it: the whole app on loopback over the bench's database,
 * configured as in production but for plain http on loopback (which production refuses
 * for session cookies).
 */
export async function startBenchBank() {
  const servers: Server[] = [];
  const listen = async (handler?: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const bank = await listen();
  const issuer = bank.url;
  // Errors only: the latency scenario overloads the bank on purpose, and its table says how
  // slow requests were (each one over 3 s would otherwise be a warning line).
  const logger = createLogger('error');
  const audit = createAuditLog({ keys: auditKeysFromPem(generateAuditKeyPem()), logger });
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    PUBLIC_URL: issuer,
    SESSION_SECRET: 'bench-session-secret-that-is-long-enough-1234',
    AUDIT_SIGNING_KEY: generateAuditKeyPem(),
    OAUTH_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString(),
    OAUTH_COOKIE_SECRET: 'bench-cookie-secret-that-is-long-enough-5678',
    ALLOW_HTTP_LOOPBACK_CLIENTS: 'true',
  });
  const built = createApp({
    config,
    logger,
    sessionSecret: config.SESSION_SECRET!,
    mongoClient: mongoose.connection.getClient(),
    audit,
    oauthSecrets: oauthSecretsFrom(config.OAUTH_SIGNING_KEY!, config.OAUTH_COOKIE_SECRET!),
  });
  bank.server.on('request', built.app);
  return {
    issuer,
    built,
    audit,
    listen: async (handler: Parameters<typeof createServer>[1]) => (await listen(handler)).url,
    async close() {
      // The load generator's last requests may still be at work: let them finish before the database goes.
      await Promise.all(
        servers.map((server) => {
          const closed = new Promise((resolve) => server.close(resolve));
          server.closeIdleConnections();
          return closed;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 5000));
      await audit.close();
    },
  };
}

type Connected = Awaited<ReturnType<typeof connectedApp>>;

/** Browsers signed in to the bank as the connected app's customer, one after another (sign-ins in flight count against the throttle). */
export async function signedInBrowsers(issuer: string, s: Connected, count: number) {
  const browsers: TestBrowser[] = [];
  for (let i = 0; i < count; i++) {
    const browser = new TestBrowser();
    const page = await browser.fetch(`${issuer}/signin`);
    const signedIn = await browser.postForm(`${issuer}/signin`, {
      _csrf: csrfOf(await page.text()),
      email: s.person.email,
      password: s.person.password,
    });
    if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
    browsers.push(browser);
  }
  return browsers;
}

/**
 * One full authorisation by the app for its signed-in customer: client credentials,
 * consent creation, PAR, the consent screen and approval, and the DPoP code exchange.
 * Returns the new consent's id and the client-credentials token that created it.
 */
export async function authorisationFlow(issuer: string, s: Connected, browser: TestBrowser) {
  const created = await createConsentAs(issuer, s.c, { Permissions: ['ReadAccountsBasic'] });
  const consentId = created.body.Data.ConsentId as string;
  const flow = await authoriseSignedIn(issuer, s.app, s.c, consentId, browser, [s.accounts[0]!.accountId]);
  await exchangeCode(s.c, flow);
  return { consentId, clientToken: created.accessToken };
}
