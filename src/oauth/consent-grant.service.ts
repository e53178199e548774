import type Provider from 'oidc-provider';
import type { RequestContext } from '../http/request-context.js';
import { authoriseConsent } from '../consents/consent-customer.service.js';
import type { ConsentRecord } from '../consents/consent.model.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { recordChoices } from '../sharing/sharing.service.js';
import { linkGrantToConsent, unlinkGrant } from './grant-consent.repository.js';

/**
 * The customer approves: an OAuth grant is made for the consent (living no longer than it,
 * so no refresh token outlives it), linked to it, and the consent is authorised with it.
 * If the authorisation does not happen (someone decided first, the audit log is down),
 * the grant and its link are removed again, so no grant exists for a consent that is not
 * authorised. Resolves the grant id for the authorisation server to issue the code under.
 */
export async function grantConsent(
  provider: Provider,
  deps: ConsentDeps,
  decision: { customerId: string; consent: ConsentRecord; accountIds: string[]; context: RequestContext },
): Promise<string> {
  const { customerId, consent } = decision;
  // Joint accounts and shared cards go on the connection first: the other holders' say is
  // recorded before the app can read anything, and is what the data API checks.
  const accountsWithOtherHolders = await recordChoices(deps, {
    customerId,
    consentId: consent._id,
    clientId: consent.clientId,
    accountIds: decision.accountIds,
    context: decision.context,
  });
  const grant = new provider.Grant({ accountId: customerId, clientId: consent.clientId });
  grant.addOIDCScope('openid accounts');
  grant.addOIDCClaims(['openbanking_intent_id']);
  const now = deps.now?.() ?? new Date();
  const lifetimeSeconds = Math.max(
    60,
    Math.floor((consent.expirationDateTime.getTime() - now.getTime()) / 1000),
  );
  const grantId = await (grant.save as (ttl: number) => Promise<string>).call(grant, lifetimeSeconds);
  await linkGrantToConsent(grantId, consent._id);
  try {
    await authoriseConsent(
      deps,
      customerId,
      consent,
      { accountIds: decision.accountIds, accountsWithOtherHolders, grantId },
      decision.context,
    );
  } catch (error) {
    await Promise.all([grant.destroy(), unlinkGrant(grantId)]);
    throw error;
  }
  return grantId;
}
