import { Schema, model } from 'mongoose';

/**
 * A follow-up a state change owes, recorded before the change is committed and removed once
 * carried out: for a consent that ended, destroy its grant and tell its app; for an account
 * its holders took off a connection, tell the app. `_id` is the change's id and the
 * follow-up's kind, so recording or carrying it out twice is harmless.
 */
const followUpSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['consent-ended', 'account-withdrawn'], required: true },
    changeId: { type: String, required: true },
    consentId: { type: String, required: true },
    event: { type: String, enum: ['revoked', 'expired'] },
    clientId: { type: String },
    accountId: { type: String },
    reason: { type: String },
    createdAt: { type: Date, required: true },
  },
  { collection: 'follow_ups', versionKey: false },
);

export const FollowUpModel = model('FollowUp', followUpSchema);
