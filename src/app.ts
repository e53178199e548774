import express, { type Express } from 'express';
import type { MongoClient } from 'mongodb';
import { accountPageRoutes } from './accounts/account.routes.js';
import type { AuditLog } from './audit/audit-log.js';
import { authRoutes } from './auth/auth.routes.js';
import { createPassport } from './auth/passport.js';
import type { Config } from './config.js';
import { complianceApiRoutes } from './compliance/compliance-api.routes.js';
import { compliancePageRoutes } from './compliance/compliance.routes.js';
import { csrfProtection } from './http/csrf.js';
import { exposeFlash } from './http/flash.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { requestLogging } from './http/request-logging.js';
import { securityHeaders } from './http/security-headers.js';
import { sessionMiddleware } from './http/session.js';
import { configureViews } from './http/views.js';
import type { Logger } from './logger.js';
import { openApiRoutes } from './openapi/openapi.routes.js';
import { homeRoutes } from './pages/home.js';
import { publicDir, vendorFiles } from './paths.js';

export interface AppDependencies {
  config: Config;
  logger: Logger;
  sessionSecret: string;
  mongoClient: MongoClient;
  audit: AuditLog;
}

/** Builds the Express app. It neither connects nor listens: server.ts and the tests do that. */
export function createApp({ config, logger, sessionSecret, mongoClient, audit }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  configureViews(app, config.NODE_ENV === 'production');

  app.use(requestLogging(logger));
  app.use(securityHeaders());
  for (const [path, file] of Object.entries(vendorFiles)) app.get(path, (_req, res) => res.sendFile(file));
  app.use(
    '/public',
    express.static(publicDir, { index: false, maxAge: config.NODE_ENV === 'production' ? '1h' : 0 }),
  );

  app.use(openApiRoutes(config.publicUrl));

  const passport = createPassport(config, audit);
  const pages = express.Router();
  pages.use(express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 50 }));
  pages.use(sessionMiddleware(config, sessionSecret, mongoClient));
  pages.use(passport.session());
  pages.use(csrfProtection);
  pages.use(exposeFlash);
  pages.use((req, res, next) => {
    res.locals.currentUser = req.user;
    next();
  });
  pages.use(homeRoutes());
  pages.use(authRoutes(passport, audit));
  pages.use(accountPageRoutes());
  pages.use(compliancePageRoutes(audit, { retentionDays: config.AUDIT_RETENTION_DAYS }));
  pages.use(complianceApiRoutes(audit));
  app.use(pages);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
