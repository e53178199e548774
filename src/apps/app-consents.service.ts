import type { RequestContext } from '../http/request-context.js';
import { type ConsentDeps } from '../consents/consent.service.js';
import { endConsentByBank, liveConsentsOfApp } from '../consents/consent-bank.service.js';
import { getApp } from './app.service.js';

export interface RevocationPreview {
  clientId: string;
  appName: string;
  authorised: number;
  pending: number;
  customers: number;
}

/** What revoking all of an app's consents would do, without doing it. */
export async function previewRevokeAll(deps: ConsentDeps, clientId: string): Promise<RevocationPreview> {
  const app = await getApp(clientId);
  const live = await liveConsentsOfApp(deps, clientId);
  return {
    clientId,
    appName: app.name,
    authorised: live.filter((c) => c.status === 'AUTH').length,
    pending: live.filter((c) => c.status === 'AWAU').length,
    customers: new Set(live.map((c) => c.customerId).filter(Boolean)).size,
  };
}

/**
 * Ends every live consent of an app. The operation is recorded first (with the preview's
 * counts), then each consent is ended with its own audit event, grant destruction and
 * webhook notice.
 */
export async function revokeAll(
  deps: ConsentDeps,
  clientId: string,
  operatorId: string,
  context?: RequestContext,
) {
  const preview = await previewRevokeAll(deps, clientId);
  await deps.audit.record({
    action: 'app.consents_revoked',
    actor: { type: 'staff', id: operatorId },
    outcome: 'success',
    clientId,
    context,
    details: { authorised: preview.authorised, pending: preview.pending, customers: preview.customers },
  });
  const live = await liveConsentsOfApp(deps, clientId);
  let ended = 0;
  for (const consent of live) {
    if (await endConsentByBank(deps, consent._id, operatorId, context)) ended += 1;
  }
  return { ...preview, ended };
}
