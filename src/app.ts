import express, { type Express } from 'express';
import type Provider from 'oidc-provider';
import { consentApiRoutes } from './consents/consent-api.routes.js';
import { obBasePath, obCommon } from './open-banking/ob-api.js';
import { consentEndings } from './consents/consent-endings.js';
import { dataApiRoutes } from './data-api/data-api.routes.js';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { consentStatusAt, type ConsentDeps } from './consents/consent.service.js';
import { endConsentOfRevokedGrant } from './consents/consent-bank.service.js';
import { NotFoundError } from './errors.js';
import { interactionRoutes } from './oauth/interaction.routes.js';
import type { OAuthSecrets } from './oauth/oauth-keys.js';
import { signingKeyRoutes } from './oauth/signing-keys.routes.js';
import { authorisationServerRoutes } from './oauth/authorisation-server.routes.js';
import { createOidcProvider } from './oauth/oidc-provider.js';
import { limitPushedRequests } from './oauth/par-rate-limit.js';
import { createWebhooks, type Webhooks } from './webhooks/webhook.service.js';
import type { MongoClient } from 'mongodb';
import { accountPageRoutes } from './accounts/account.routes.js';
import type { AuditLog } from './audit/audit-log.js';
import { appPageRoutes } from './apps/app.routes.js';
import { appRateLimiter } from './apps/app-rate-limit.js';
import { authRoutes } from './auth/auth.routes.js';
import { createPassport } from './auth/passport.js';
import type { Config } from './config.js';
import { complianceApiRoutes } from './compliance/compliance-api.routes.js';
import { compliancePageRoutes } from './compliance/compliance.routes.js';
import { exportPageRoutes } from './compliance/export.routes.js';
import { csrfProtection } from './http/csrf.js';
import { exposeCurrentUser } from './http/current-user.js';
import { anyone } from './http/require-role.js';
import { exposeFlash } from './http/flash.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { requestLogging } from './http/request-logging.js';
import { requirePublicHost } from './http/public-host.js';
import { securityHeaders } from './http/security-headers.js';
import { sessionMiddleware } from './http/session.js';
import { configureViews } from './http/views.js';
import type { Logger } from './logger.js';
import { openApiRoutes } from './openapi/openapi.routes.js';
import { homeRoutes } from './pages/home.js';
import { publicDir, vendorFiles } from './paths.js';
import { settingsRoutes } from './users/settings.routes.js';
import { sharingRoutes } from './sharing/sharing.routes.js';
import { performanceRecorder, type PerformanceRecorder } from './performance/performance-recorder.js';
import { performanceDocumentRoutes, performancePageRoutes } from './performance/performance.routes.js';

export interface AppDependencies {
  config: Config;
  logger: Logger;
  sessionSecret: string;
  mongoClient: MongoClient;
  audit: AuditLog;
  oauthSecrets: OAuthSecrets;
  /** Clock for consent rules (tests move it). */
  now?: () => Date;
}

export interface BuiltApp {
  app: Express;
  provider: Provider;
  consentDeps: ConsentDeps;
  webhooks: Webhooks;
  /** Counts of the developer interface's calls, written by the server's timer. */
  performance: PerformanceRecorder;
}

/** Builds the Express app. It neither connects nor listens: server.ts and the tests do that. */
export function createApp({
  config,
  logger,
  sessionSecret,
  mongoClient,
  audit,
  oauthSecrets,
  now,
}: AppDependencies): BuiltApp {
  const app = express();
  const provider = createOidcProvider(config, oauthSecrets, {
    consentStatus: (consentId) => consentStatusAt(consentId, now?.() ?? new Date()),
  });
  const webhooks = createWebhooks({
    audit,
    logger,
    publicUrl: config.publicUrl,
    signingKey: oauthSecrets.webhookKey,
    allowInternalAddresses: config.allowLoopbackHttp,
    ...(now ? { now } : {}),
  });
  const consentDeps: ConsentDeps = {
    audit,
    notifier: consentEndings(provider, [webhooks.listener]),
    maxDays: config.CONSENT_MAX_DAYS,
    logger,
    ...(now ? { now } : {}),
  };
  const rateLimit = appRateLimiter({
    perMinute: config.APP_REQUESTS_PER_MINUTE,
    audit,
    ...(now ? { now } : {}),
  });
  provider.use(limitPushedRequests(rateLimit));
  // When the authorisation server ends a grant on its own (a code used twice), its consent
  // ends too. The event cannot be awaited: a failure here is logged, and the grant's tokens
  // are refused all the same, since the data API checks the grant on every call.
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
    endConsentOfRevokedGrant(consentDeps, grantId).catch((err: unknown) =>
      logger.error({ err, grantId }, 'could not end the consent of a grant the authorisation server revoked'),
    );
  });
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  // Templates are read once, except in development, where edits show on the next request.
  configureViews(app, config.NODE_ENV !== 'development');

  app.use(requestLogging(logger));
  app.use(securityHeaders());
  app.use(requirePublicHost(config.publicUrl));
  const performance = performanceRecorder({ logger, ...(now ? { now } : {}) });
  app.use(performance.middleware);
  for (const [path, file] of Object.entries(vendorFiles))
    app.get(path, anyone, (_req, res) => res.sendFile(file));
  app.use(
    '/public',
    express.static(publicDir, { index: false, maxAge: config.NODE_ENV === 'production' ? '1h' : 0 }),
  );

  app.use(openApiRoutes(config.publicUrl));
  app.use(performanceDocumentRoutes());
  app.use(signingKeyRoutes(oauthSecrets));

  // Open Banking API: JSON in, OB error bodies out.
  app.use(obCommon());
  app.use(consentApiRoutes(provider, consentDeps, config.publicUrl, rateLimit));
  app.use(
    dataApiRoutes(
      provider,
      { ...consentDeps, unattendedDailyLimit: config.UNATTENDED_DAILY_LIMIT },
      config.publicUrl,
    ),
  );
  app.use(obBasePath, (_req, _res, next) => next(new NotFoundError('No such Open Banking resource')));

  // The authorisation server owns /oauth/* (but for our consent screen) and discovery.
  app.use(authorisationServerRoutes(provider, config.publicUrl));

  const passport = createPassport(config, audit);
  const pages = express.Router();
  pages.use(express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 50 }));
  pages.use(sessionMiddleware(config, sessionSecret, mongoClient));
  pages.use(passport.session());
  pages.use(csrfProtection);
  pages.use(exposeFlash);
  pages.use(exposeCurrentUser);
  pages.use(homeRoutes());
  pages.use(authRoutes(passport, audit));
  pages.use(accountPageRoutes());
  pages.use(settingsRoutes());
  pages.use(sharingRoutes(consentDeps));
  pages.use(interactionRoutes(provider, consentDeps));
  pages.use(
    dashboardRoutes(consentDeps, {
      issuer: config.publicUrl,
      signingJwk: oauthSecrets.receiptKey.privateJwk,
    }),
  );
  pages.use(
    appPageRoutes(audit, consentDeps, {
      allowClientSecretBasic: config.ALLOW_CLIENT_SECRET_BASIC,
      allowLoopbackHttp: config.allowLoopbackHttp,
    }),
  );
  pages.use(compliancePageRoutes(audit, { retentionDays: config.AUDIT_RETENTION_DAYS }));
  pages.use(exportPageRoutes(audit, config.publicUrl));
  pages.use(complianceApiRoutes(audit));
  pages.use(performancePageRoutes());
  app.use(pages);

  app.use(notFound);
  app.use(errorHandler);
  return { app, provider, consentDeps, webhooks, performance };
}
