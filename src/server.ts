import { once } from 'node:events';
import type { Server } from 'node:http';
import mongoose from 'mongoose';
import { createApp } from './app.js';
import { sweepExpiredOidcArtefacts } from './oauth/oidc-adapter.js';
import { sweepExpiredSessions } from './http/session.js';
import { startAuditBackground } from './audit/audit-background.js';
import { createAuditLog } from './audit/audit-log.js';
import { loadAuditKeys } from './audit/audit-keys.js';
import { loadOAuthSecrets } from './oauth/oauth-keys.js';
import { sweepSigninThrottles } from './auth/signin-throttle.service.js';
import { sweepAppRequestSlots } from './apps/app-rate-limit.js';
import { ConfigError, loadConfig, loadEnvFile, type Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { createLogger, type Logger } from './logger.js';
import { resolveSessionSecret } from './secrets.js';
import { seedDemoDataIfEmpty } from './seed/demo-data.js';
import { carryOutOwedFollowUps } from './outbox/follow-ups.js';
import { consentLapseSweeper } from './consents/consent-lapses.service.js';
import { repeatUnlessBusy } from './repeat.js';

async function main() {
  let config: Config;
  try {
    loadEnvFile();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  let shuttingDown = false;

  const database = await openDatabase(config, logger, 'server');
  // The embedded database is restarted if it dies; only one that keeps dying stops the server.
  void database.embedded?.lost.then((exit) => {
    if (shuttingDown) return;
    logger.fatal({ ...exit }, 'the embedded database keeps stopping; exiting');
    process.exit(1);
  });

  if (config.DEMO_DATA === 'always' || (config.DEMO_DATA === 'auto' && database.embedded)) {
    const seeded = await seedDemoDataIfEmpty(logger);
    if (seeded) printDemoSignins(config, seeded);
  }

  const keys = await loadAuditKeys({ pem: config.AUDIT_SIGNING_KEY, dataDir: config.DATA_DIR });
  const audit = createAuditLog({ keys, logger });
  const stopAuditBackground = startAuditBackground({
    keys,
    logger,
    indexIntervalMs: config.AUDIT_INDEX_INTERVAL_MS,
    checkpointIntervalSeconds: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
  });
  const { app, webhooks, consentDeps, performance } = createApp({
    config,
    logger,
    sessionSecret: await resolveSessionSecret(config),
    mongoClient: mongoose.connection.getClient(),
    audit,
    oauthSecrets: await loadOAuthSecrets(config),
  });
  const server = app.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ url: config.publicUrl, host: config.HOST, port }, 'consent manager listening');

  const sweeper = setInterval(() => {
    sweepSigninThrottles(config.SIGNIN_THROTTLE_WINDOW_MINUTES).catch((err: unknown) =>
      logger.warn({ err }, 'sign-in throttle sweep failed'),
    );
    sweepExpiredOidcArtefacts().catch((err: unknown) => logger.warn({ err }, 'OAuth artefact sweep failed'));
    sweepAppRequestSlots().catch((err: unknown) => logger.warn({ err }, 'app request count sweep failed'));
    sweepExpiredSessions(mongoose.connection.getClient()).catch((err: unknown) =>
      logger.warn({ err }, 'session sweep failed'),
    );
  }, 60_000).unref();
  // Follow-ups a change still owes (its process died, or the first try failed), and notices to send.
  const followUpWorker = repeatUnlessBusy(2_000, () =>
    carryOutOwedFollowUps(consentDeps).catch((err: unknown) =>
      logger.warn({ err }, 'follow-up round failed'),
    ),
  );
  // Consents that time ends are recorded as ended, and their apps told, without anyone reading them.
  const lapseSweeper = consentLapseSweeper(consentDeps);
  const lapseWorker = repeatUnlessBusy(5_000, () =>
    lapseSweeper.sweep().catch((err: unknown) => logger.warn({ err }, 'consent lapse sweep failed')),
  );
  // The developer interface's counts of each finished minute.
  const performanceWriter = repeatUnlessBusy(15_000, () =>
    performance.flush().catch((err: unknown) => logger.warn({ err }, 'performance counts not written')),
  );
  const webhookWorker = repeatUnlessBusy(2_000, () =>
    webhooks.deliverDue().catch((err: unknown) => logger.warn({ err }, 'webhook delivery round failed')),
  );

  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    clearInterval(sweeper);
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    void stop(server, database, logger, async () => {
      await Promise.all([
        followUpWorker.stop(),
        webhookWorker.stop(),
        lapseWorker.stop(),
        performanceWriter.stop(),
      ]);
      await performance.flush(true).catch(() => undefined);
      await lapseSweeper.release().catch(() => undefined);
      await audit.close();
      await stopAuditBackground();
      await webhooks.release().catch(() => undefined);
    }).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function stop(server: Server, database: Database, logger: Logger, stopWork: () => Promise<void>) {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await stopWork();
  try {
    await database.close();
  } catch (err) {
    logger.error({ err }, 'database close failed');
  }
  logger.info('stopped');
}

function printDemoSignins(
  config: Config,
  signins: readonly { email: string; password: string; role: string }[],
) {
  const lines = signins.map((s) => `  ${s.role.padEnd(11)} ${s.email.padEnd(24)} ${s.password}`);
  console.log(`\nDemo data created. Sign in at ${config.publicUrl}/signin with:\n${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
