import { authoriseConsent, openConsentForCustomer } from '../../src/consents/consent-customer.service.js';
import { createConsent, type ConsentDeps } from '../../src/consents/consent.service.js';
import { chooseDisclosureOption, recordChoices } from '../../src/sharing/sharing.service.js';

/**
 * On a household's joint account (shareAccounts): "both must approve", and `sharer` has
 * connected two of the app's consents including it, waiting for the other holder; and
 * `sharer` proposes going back to "either", waiting for the other's agreement. Resolves
 * the two consent ids.
 */
export async function connectionsAwaitingApproval(
  deps: ConsentDeps,
  household: { joint: string },
  people: { sharer: string; other: string },
  clientId: string,
) {
  const acting = (customerId: string) => ({ customerId, accountId: household.joint, context: {} });
  await chooseDisclosureOption(deps, acting(people.other), 'both');
  const connect = async () => {
    const consent = await createConsent(deps, clientId, { Permissions: ['ReadAccountsBasic'] }, {});
    await openConsentForCustomer(deps, people.sharer, consent._id);
    const accountsWithOtherHolders = await recordChoices(deps, {
      customerId: people.sharer,
      consentId: consent._id,
      clientId,
      accountIds: [household.joint],
      context: {},
    });
    await authoriseConsent(
      deps,
      people.sharer,
      consent._id,
      { accountIds: [household.joint], accountsWithOtherHolders },
      {},
    );
    return consent._id;
  };
  const ids = [await connect(), await connect()];
  await chooseDisclosureOption(deps, acting(people.sharer), 'either');
  return ids;
}
