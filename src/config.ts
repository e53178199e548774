import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const positiveInt = z.coerce.number().int().positive();

const proxyName = /^(loopback|linklocal|uniquelocal)$/;
const isProxyAddress = (entry: string) => {
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};

const ecPrivateKey = z
  .string()
  .regex(/-----BEGIN PRIVATE KEY-----/, 'must be an EC P-256 private key in PKCS#8 PEM form')
  .optional();

/**
 * Which proxies in front of the server may say who the client is (X-Forwarded-For/-Proto):
 * none (false), the nearest N hops, or the proxies at these addresses. Never "every hop",
 * which would let each client name its own address and so slip past per-address limits.
 */
const trustProxy = z.string().transform((value, ctx): false | number | string[] => {
  if (value === 'false' || value === '0') return false;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  if (value !== 'true' && entries.every((entry) => proxyName.test(entry) || isProxyAddress(entry)))
    return entries;
  ctx.addIssue({
    code: 'custom',
    message:
      value === 'true'
        ? 'trusting every hop lets clients choose their own address: give the number of proxies in front of the server (1 for one load balancer) or their addresses'
        : 'must be false, a number of proxies, or a comma-separated list of proxy addresses or ranges (10.0.0.0/8, loopback)',
  });
  return z.NEVER;
});

/**
 * Every environment variable the server reads. `.env.example` documents each one;
 * nothing else in the code reads process.env.
 */
const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DEMO_DATA: z.enum(['auto', 'always', 'never']).default('auto'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_TTL_MINUTES: positiveInt.default(30),
  SESSION_COOKIE_SECURE: booleanString.optional(),
  TRUST_PROXY: trustProxy.default(false),
  SIGNIN_MAX_FAILURES_PER_ACCOUNT: positiveInt.default(5),
  SIGNIN_MAX_FAILURES_PER_IP: positiveInt.default(50),
  SIGNIN_THROTTLE_WINDOW_MINUTES: positiveInt.default(15),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  CONSENT_MAX_DAYS: positiveInt.max(3650).default(365),
  UNATTENDED_DAILY_LIMIT: positiveInt.default(4),
  APP_REQUESTS_PER_MINUTE: positiveInt.default(12_000),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.max(3600).default(300),
  REFRESH_TOKEN_TTL_DAYS: positiveInt.max(3650).default(90),
  ALLOW_CLIENT_SECRET_BASIC: booleanString.default(false),
  ALLOW_HTTP_LOOPBACK_CLIENTS: booleanString.optional(),
  OAUTH_SIGNING_KEY: ecPrivateKey,
  OAUTH_COOKIE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  RECEIPT_SIGNING_KEY: ecPrivateKey,
  WEBHOOK_SIGNING_KEY: ecPrivateKey,
  AUDIT_SIGNING_KEY: z
    .string()
    .regex(/-----BEGIN PRIVATE KEY-----/, 'must be an Ed25519 private key in PKCS#8 PEM form')
    .optional(),
  AUDIT_RETENTION_DAYS: positiveInt.default(2557),
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: positiveInt.default(300),
  AUDIT_INDEX_INTERVAL_MS: positiveInt.default(500),
});

export type Config = Readonly<
  z.infer<typeof ConfigSchema> & {
    /** Whether the session cookie carries the Secure flag (defaults to on in production). */
    cookieSecure: boolean;
    /** Whether apps may use http redirect and webhook URLs to this machine (defaults to off in production). */
    allowLoopbackHttp: boolean;
    publicUrl: string;
  }
>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Loads the settings file into process.env, as `.env.example` promises: `.env` in the working
 * directory, or the file `ENV_FILE` names. Variables already in the environment win over the
 * file, so a deployment's real environment is never overridden by a file left beside it.
 * Called once by each process entry (server and command-line tools) before loadConfig.
 */
export function loadEnvFile(): string | undefined {
  const named = process.env.ENV_FILE;
  const file = resolve(named || '.env');
  if (!existsSync(file)) {
    if (named) throw new ConfigError([`ENV_FILE: ${file} does not exist`]);
    return undefined;
  }
  process.loadEnvFile(file);
  return file;
}

/**
 * The folder a command-line tool was started from. npm runs scripts in the project root, so a
 * relative path typed after `npm run <tool> --` means the folder npm was run in (INIT_CWD).
 */
export function invocationDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD || process.cwd();
}

/** Parses the environment once; a bad value throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings (as left by `VAR=` in .env files) mean "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const parsed = result.data;
  if (parsed.NODE_ENV === 'production') {
    const missing = (
      [
        'SESSION_SECRET',
        'AUDIT_SIGNING_KEY',
        'OAUTH_SIGNING_KEY',
        'RECEIPT_SIGNING_KEY',
        'WEBHOOK_SIGNING_KEY',
        'OAUTH_COOKIE_SECRET',
      ] as const
    ).filter((name) => !parsed[name]);
    const problems = missing.map((name) => `${name}: required when NODE_ENV is production`);
    // A session cookie sent over plain http can be read on the way: production never allows it.
    if (parsed.SESSION_COOKIE_SECURE === false)
      problems.push('SESSION_COOKIE_SECURE: must not be false when NODE_ENV is production');
    if (problems.length > 0) throw new ConfigError(problems);
  }
  return Object.freeze({
    ...parsed,
    cookieSecure: parsed.SESSION_COOKIE_SECURE ?? parsed.NODE_ENV === 'production',
    allowLoopbackHttp: parsed.ALLOW_HTTP_LOOPBACK_CLIENTS ?? parsed.NODE_ENV !== 'production',
    publicUrl: parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}`,
  });
}
