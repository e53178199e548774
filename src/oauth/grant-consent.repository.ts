import { claim } from '../db/primary-key.js';
import { GrantConsentModel } from './grant-consent.model.js';

/** Which consent each OAuth grant carries out, read by the grant id. */

export async function linkGrantToConsent(grantId: string, consentId: string): Promise<void> {
  if (!(await claim(GrantConsentModel, { _id: grantId, consentId })))
    throw new Error(`grant ${grantId} already carries a consent`);
}

export async function unlinkGrant(grantId: string): Promise<void> {
  await GrantConsentModel.deleteOne({ _id: grantId });
}

export async function consentIdOfGrant(grantId: string): Promise<string | undefined> {
  return (await GrantConsentModel.findById(grantId).lean())?.consentId;
}
