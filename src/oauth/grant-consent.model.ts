import { Schema, model } from 'mongoose';

/** Which consent an OAuth grant carries out: `_id` is the grant id. Inserted once, at authorisation. */
const grantConsentSchema = new Schema(
  { _id: { type: String, required: true }, consentId: { type: String, required: true } },
  { collection: 'grant_consents', versionKey: false },
);

export const GrantConsentModel = model('GrantConsent', grantConsentSchema);
