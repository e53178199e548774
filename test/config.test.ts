import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { generateAuditKeyPem } from '../src/audit/audit-keys.js';
import { ConfigError, loadConfig } from '../src/config.js';

const ecPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();

/** Every secret production requires, each valid. */
const productionEnv = () => ({
  NODE_ENV: 'production',
  SESSION_SECRET: 'x'.repeat(40),
  AUDIT_SIGNING_KEY: generateAuditKeyPem(),
  OAUTH_SIGNING_KEY: ecPem(),
  OAUTH_COOKIE_SECRET: 'y'.repeat(40),
  RECEIPT_SIGNING_KEY: ecPem(),
  WEBHOOK_SIGNING_KEY: ecPem(),
});

describe('loadConfig', () => {
  it('when nothing is set, uses documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 3000);
    assert.equal(config.DATA_DIR, './data');
    assert.equal(config.MONGODB_URI, undefined);
    assert.equal(config.cookieSecure, false);
  });

  it('when values are bad, names every bad variable and why', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', MONGODB_URI: 'postgres://x', LOG_LEVEL: 'loud' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /^PORT:/m);
        assert.match(text, /^MONGODB_URI: must start with mongodb:\/\//m);
        assert.match(text, /^LOG_LEVEL:/m);
        return true;
      },
    );
  });

  it('when NODE_ENV is production without its secrets, refuses to start naming each', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      /SESSION_SECRET: required[\s\S]*AUDIT_SIGNING_KEY: required/,
    );
  });

  it('in production, marks the session cookie Secure by default', () => {
    const config = loadConfig(productionEnv());
    assert.equal(config.allowLoopbackHttp, false);
    assert.equal(config.cookieSecure, true);
  });

  it('in production, refuses a session cookie without Secure', () => {
    assert.throws(
      () => loadConfig({ ...productionEnv(), SESSION_COOKIE_SECURE: 'false' }),
      /SESSION_COOKIE_SECURE: must not be false when NODE_ENV is production/,
    );
    assert.equal(
      loadConfig({ SESSION_COOKIE_SECURE: 'false' }).cookieSecure,
      false,
      'development may use http',
    );
  });

  it('treats empty values as unset', () => {
    assert.equal(loadConfig({ PORT: '' }).PORT, 3000);
  });
});
