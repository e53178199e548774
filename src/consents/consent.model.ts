import { Schema, model, type InferSchemaType } from 'mongoose';
import { consentStatuses } from './consent.js';

const statusReasonSchema = new Schema(
  { StatusReasonCode: String, StatusReasonDescription: String },
  { _id: false },
);

/**
 * An account-access consent, keyed by its ConsentId. `version` counts its status changes;
 * the changes themselves are in consent_transitions, and a change is decided by claiming
 * the next version there (see consent-transitions.ts).
 */
const consentSchema = new Schema(
  {
    _id: { type: String, required: true },
    clientId: { type: String, required: true },
    status: { type: String, enum: consentStatuses, required: true },
    statusReason: { type: statusReasonSchema },
    statusUpdateDateTime: { type: Date, required: true },
    creationDateTime: { type: Date, required: true },
    permissions: { type: [String], required: true },
    expirationDateTime: { type: Date, required: true },
    transactionFromDateTime: { type: Date },
    transactionToDateTime: { type: Date },
    customerId: { type: String },
    accountIds: { type: [String], default: undefined },
    // Of those, the ones that belong to others too (joint, or a card shared by an additional
    // cardholder): served only while their sharing allows it (src/sharing).
    accountsWithOtherHolders: { type: [String], default: undefined },
    grantId: { type: String },
    authorisedAt: { type: Date },
    version: { type: Number, required: true },
  },
  { collection: 'consents', versionKey: false },
);

export type ConsentRecord = InferSchemaType<typeof consentSchema>;
export const ConsentModel = model('Consent', consentSchema);

/**
 * Every status change of every consent: `_id` is `<ConsentId>#<version>`. Inserting it
 * claims the change; it takes effect once its audit event is written (state `audited`).
 */
const consentTransitionSchema = new Schema(
  {
    _id: { type: String, required: true },
    consentId: { type: String, required: true },
    version: { type: Number, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    reason: { type: statusReasonSchema, required: true },
    at: { type: Date, required: true },
    actor: { type: { type: String }, id: String },
    set: { type: Schema.Types.Mixed },
    // claimed -> audited (then applied) or abandoned (its audit event could not be written).
    state: { type: String, enum: ['claimed', 'audited', 'abandoned'], required: true },
    auditSeq: { type: Number },
  },
  { collection: 'consent_transitions', versionKey: false },
);

export type ConsentTransitionRecord = InferSchemaType<typeof consentTransitionSchema>;
export const ConsentTransitionModel = model('ConsentTransition', consentTransitionSchema);

/** A customer's consents, one slot each (`<customerId>#<n>`), claimed when the customer first sees it. */
const customerConsentSchema = new Schema(
  { _id: { type: String, required: true }, consentId: { type: String, required: true } },
  { collection: 'customer_consents', versionKey: false },
);
export const CustomerConsentModel = model('CustomerConsent', customerConsentSchema);

/** The customer a consent belongs to, claimed by the first customer who opens its consent screen. */
const consentOwnerSchema = new Schema(
  { _id: { type: String, required: true }, customerId: { type: String, required: true }, at: Date },
  { collection: 'consent_owners', versionKey: false },
);
export const ConsentOwnerModel = model('ConsentOwner', consentOwnerSchema);
