import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../http/request-context.js';
import type { AuditLog } from '../audit/audit-log.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { newClientSecret } from './client-secret.js';
import type { AppRecord } from './app.model.js';
import { allApps, claimAppName, findApp, insertApp, releaseAppName, setStatus } from './app.repository.js';
import type { AppRegistrationInput } from './app.schemas.js';

export interface Operator {
  id: string;
  context?: RequestContext;
}

export function newClientId(): string {
  return `app-${randomBytes(8).toString('hex')}`;
}

/**
 * Registers an app: recorded in the audit log first, then stored. An app on
 * client_secret_basic gets its secret here, once: only its hash is kept.
 */
export async function registerApp(
  audit: AuditLog,
  operator: Operator,
  input: AppRegistrationInput,
): Promise<{ app: AppRecord; clientSecret?: string }> {
  const clientId = newClientId();
  const key = nameKey(input.name);
  const taken = (await allApps()).some((other) => nameKey(other.name) === key);
  if (taken || !(await claimAppName(key, clientId))) {
    throw new ConflictError(
      `An app called "${input.name}" is already registered: choose another name`,
      'duplicate_name',
    );
  }
  try {
    return await recordAndStore(audit, operator, input, clientId);
  } catch (error) {
    await releaseAppName(key, clientId).catch(() => undefined);
    throw error;
  }
}

/** Names compared as customers read them: case and spacing do not make two apps different. */
function nameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

async function recordAndStore(
  audit: AuditLog,
  operator: Operator,
  input: AppRegistrationInput,
  clientId: string,
): Promise<{ app: AppRecord; clientSecret?: string }> {
  const secret = input.tokenEndpointAuthMethod === 'client_secret_basic' ? newClientSecret() : undefined;
  const app = {
    _id: clientId,
    ...input,
    status: 'active' as const,
    createdBy: operator.id,
    ...(secret ? { clientSecretHash: secret.hash } : {}),
  };
  await audit.record({
    action: 'app.registered',
    actor: { type: 'staff', id: operator.id },
    outcome: 'success',
    clientId,
    context: operator.context,
    details: {
      name: input.name,
      redirectUris: input.redirectUris.join(' '),
      webhook: input.webhookUrl ?? '',
    },
  });
  const created = await insertApp(app);
  return { app: created, ...(secret ? { clientSecret: secret.secret } : {}) };
}

export { findApp };

export async function getApp(clientId: string): Promise<AppRecord> {
  const app = await findApp(clientId);
  if (!app) throw new NotFoundError('There is no such app');
  return app;
}

/** Every app, newest first (the registry is small: apps are registered by staff one by one). */
export async function listApps(): Promise<AppRecord[]> {
  const apps = await allApps();
  return apps.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}

/**
 * Suspends or reactivates an app. A suspended app's tokens stop working at once: the
 * authorisation server will not load it, and every data request checks it.
 */
export async function setAppStatus(
  audit: AuditLog,
  operator: Operator,
  clientId: string,
  status: 'active' | 'suspended',
  reason?: string,
) {
  const app = await getApp(clientId);
  if (app.status === status) return app;
  await audit.record({
    action: status === 'suspended' ? 'app.suspended' : 'app.reactivated',
    actor: { type: 'staff', id: operator.id },
    outcome: 'success',
    clientId,
    context: operator.context,
    ...(reason ? { details: { reason } } : {}),
  });
  await setStatus(clientId, status, reason);
  return { ...app, status };
}
