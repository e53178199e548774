import { Schema, model, type InferSchemaType } from 'mongoose';

export const accountKinds = ['checking', 'credit_card'] as const;
export type AccountKind = (typeof accountKinds)[number];

const cardholderSchema = new Schema(
  { customerId: { type: String, required: true }, pan: String, maskedPan: String },
  { _id: false },
);

/**
 * A customer's account as the bank's core system holds it, keyed by the stable, opaque
 * identifier the Open Banking API exposes (OB AccountId). The card number is kept in
 * full for ReadPAN grants and shown masked everywhere else.
 */
const accountSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    kind: { type: String, enum: accountKinds, required: true },
    currency: { type: String, required: true, minlength: 3, maxlength: 3 },
    name: { type: String, required: true },
    nickname: { type: String },
    openedAt: { type: Date, required: true },
    status: { type: String, enum: ['Enabled', 'Disabled'], default: 'Enabled' },
    sortCode: { type: String },
    accountNumber: { type: String },
    cardScheme: { type: String },
    pan: { type: String },
    maskedPan: { type: String },
    // A joint account's holders, main holder first (absent: `customerId` alone). Each lists it among their accounts.
    holderIds: { type: [String], default: undefined },
    // A card's additional cardholders, each with a card number of their own (see account-holders.ts).
    cardholders: { type: [cardholderSchema], default: undefined },
  },
  { timestamps: true, collection: 'accounts', versionKey: false },
);

export type AccountRecord = InferSchemaType<typeof accountSchema>;
export const AccountModel = model('Account', accountSchema);
