import type { Express } from 'express';
import mongoose from 'mongoose';
import { generateKeyPairSync } from 'node:crypto';
import { createApp } from '../../src/app.js';
import { oauthSecretsFrom } from '../../src/oauth/oauth-keys.js';
import { AuditIndexer } from '../../src/audit/audit-indexer.js';
import { createAuditLog, type AuditLog } from '../../src/audit/audit-log.js';
import { auditKeysFromPem, generateAuditKeyPem } from '../../src/audit/audit-keys.js';
import { loadConfig, type Config } from '../../src/config.js';
import { runLogger } from './run-log.js';

/**
 * A test config: client IPs taken from X-Forwarded-For (as set by one proxy in front) so
 * each test can be its own client. The apps tests build log warnings and errors to the run
 * log (run-log.ts), not to the console.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TRUST_PROXY: '1',
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-1234',
    ...overrides,
  });
}

/** One signing key for the whole test run, as one deployment has. */
export const testAuditKeyPem = generateAuditKeyPem();
export const testAuditKeys = auditKeysFromPem(testAuditKeyPem);

/**
 * The test process's audit log: one writer, as one server process has. Tests that play
 * several processes create writers of their own with `createAuditLog` (and close them).
 */
let testAuditLog: AuditLog | undefined;
export function createTestAuditLog(): AuditLog {
  testAuditLog ??= createAuditLog({ keys: testAuditKeys, logger: runLogger() });
  return testAuditLog;
}

export const testOAuthSecrets = oauthSecretsFrom(
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString(),
  'test-oauth-cookie-secret-long-enough-0123456789',
);

export function buildTestApp(
  overrides: Record<string, string> = {},
  audit: AuditLog = createTestAuditLog(),
): Express {
  return buildFullTestApp(overrides, audit).app;
}

/** The app with its authorisation server and consent services, for tests that drive OAuth. */
export function buildFullTestApp(
  overrides: Record<string, string> = {},
  audit: AuditLog = createTestAuditLog(),
  now?: () => Date,
) {
  const config = testConfig(overrides);
  return createApp({
    config,
    logger: runLogger(),
    sessionSecret: config.SESSION_SECRET!,
    mongoClient: mongoose.connection.getClient(),
    audit,
    oauthSecrets: testOAuthSecrets,
    ...(now ? { now } : {}),
  });
}

let ipCounter = 0;

/** A fresh client address per call, so sign-in throttling by IP does not leak between tests. */
export function uniqueIp(): string {
  ipCounter += 1;
  return `10.${(process.pid >> 8) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** The test run's one audit indexer (one lease holder, as in a single server process). */
// Small pages, so that tests cross page boundaries of the sparse posting lists.
export const testIndexer = new AuditIndexer({ logger: runLogger(), keys: testAuditKeys, pageSize: 4 });
