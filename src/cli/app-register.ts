import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { AppRegistration } from '../apps/app.schemas.js';
import { registerApp } from '../apps/app.service.js';
import { createAuditLog } from '../audit/audit-log.js';
import { loadAuditKeys } from '../audit/audit-keys.js';
import { invocationDirectory, loadConfig, loadEnvFile } from '../config.js';
import { openDatabase } from '../db/database.js';
import { toFieldIssues } from '../http/validate.js';
import { createLogger } from '../logger.js';

const usage = `Usage: npm run app:register -- --name NAME --redirect-uri URL [--redirect-uri URL ...]
         (--jwks-file FILE | --client-secret-basic) [--webhook-url URL] [--purpose TEXT]
         [--legal-name TEXT] [--registration TEXT]

Registers a third-party app as an OAuth client and prints it as JSON, with its client_id.
--legal-name and --registration name the company behind the app and its regulator's
register entry (e.g. "FCA firm reference 123456"); the consent screen shows both.
--jwks-file is a JSON Web Key Set with the app's public keys (for private_key_jwt);
npm run app:keys makes one.
--client-secret-basic issues a client secret instead (only with ALLOW_CLIENT_SECRET_BASIC=true).`;

async function main() {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'jwks-file': { type: 'string' },
      'client-secret-basic': { type: 'boolean' },
      'webhook-url': { type: 'string' },
      purpose: { type: 'string' },
      'legal-name': { type: 'string' },
      registration: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  loadEnvFile();
  const config = loadConfig();
  const input = {
    name: values.name,
    redirectUris: values['redirect-uri'],
    ...(values['jwks-file']
      ? {
          jwks: JSON.parse(
            await readFile(resolve(invocationDirectory(), values['jwks-file']), 'utf8'),
          ) as unknown,
        }
      : {}),
    ...(values['webhook-url'] ? { webhookUrl: values['webhook-url'] } : {}),
    ...(values.purpose ? { purpose: values.purpose } : {}),
    ...(values['legal-name'] ? { legalName: values['legal-name'] } : {}),
    ...(values.registration ? { registration: values.registration } : {}),
    ...(values['client-secret-basic'] ? { tokenEndpointAuthMethod: 'client_secret_basic' } : {}),
  };
  const parsed = AppRegistration({
    allowClientSecretBasic: config.ALLOW_CLIENT_SECRET_BASIC,
    allowLoopbackHttp: config.allowLoopbackHttp,
  }).safeParse(input);
  if (!parsed.success) {
    console.error(
      toFieldIssues(parsed.error)
        .map((i) => `${i.field}: ${i.message}`)
        .join('\n'),
    );
    console.error(usage);
    process.exitCode = 2;
    return;
  }

  const logger = createLogger('warn');
  const database = await openDatabase(config, logger, 'tool');
  try {
    const audit = createAuditLog({
      keys: await loadAuditKeys({ pem: config.AUDIT_SIGNING_KEY, dataDir: config.DATA_DIR }),
      logger,
    });
    const { app, clientSecret } = await registerApp(audit, { id: `cli:${userInfo().username}` }, parsed.data);
    await audit.close();
    const { _id, clientSecretHash, ...rest } = app;
    void clientSecretHash;
    // The secret is printed this once; the bank keeps only its hash.
    console.log(
      JSON.stringify(
        { client_id: _id, ...(clientSecret ? { client_secret: clientSecret } : {}), ...rest },
        null,
        2,
      ),
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
