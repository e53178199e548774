import type { RequestContext } from '../http/request-context.js';
import { ConflictError } from '../errors.js';
import { consentIdOfGrant } from '../oauth/grant-consent.repository.js';
import { statusReasons } from './consent.js';
import type { ConsentRecord } from './consent.model.js';
import { consentIdsOfApp } from './consent.repository.js';
import {
  currentConsent,
  move,
  settledConsent,
  withdraw,
  type Actor,
  type ConsentDeps,
} from './consent.service.js';

/** Consents ended by the bank or by the authorisation server, not by their customer or app. */

/** The bank ends a consent (for example when an app is struck off): authorised ones are cancelled, pending ones rejected. */
export async function endConsentByBank(
  deps: ConsentDeps,
  consentId: string,
  operatorId: string,
  context?: RequestContext,
) {
  const consent = await settledConsent(deps, consentId, context);
  if (!consent) return undefined;
  return withdraw(deps, consent, statusReasons.revokedByBank, { type: 'staff', id: operatorId }, context);
}

/**
 * The authorisation server revoked a grant itself (a code or refresh token presented twice,
 * or the app revoking its refresh token): the consent it carried ends with it, through the
 * same transition, audit event and notice to the app as any other ending.
 */
export async function endConsentOfRevokedGrant(deps: ConsentDeps, grantId: string) {
  const consentId = await consentIdOfGrant(grantId);
  const consent = consentId ? await settledConsent(deps, consentId) : undefined;
  if (consent?.status !== 'AUTH' || consent.grantId !== grantId) return consent;
  const actor: Actor = { type: 'system', id: 'authorisation-server' };
  try {
    return await move(deps, { consent, to: 'CANC', reason: statusReasons.grantRevoked, actor });
  } catch (error) {
    // Ended at the same moment by someone else (the customer, the app): it has ended either way.
    if (error instanceof ConflictError) return settledConsent(deps, consent._id);
    throw error;
  }
}

/** An app's consents that are still live (pending or authorised) as they stand now. A scan: rare admin actions only. */
export async function liveConsentsOfApp(deps: ConsentDeps, clientId: string) {
  const ids = await consentIdsOfApp(clientId);
  const settled = await Promise.all(ids.map((id) => currentConsent(deps, id)));
  return settled.filter(
    (c): c is ConsentRecord => c !== undefined && (c.status === 'AUTH' || c.status === 'AWAU'),
  );
}
