import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * The current balances of one account, keyed by AccountId. Amounts are integers in
 * minor units (pence) so no arithmetic on money is done in floating point. Positive
 * means in credit; a credit card's balance is negative while money is owed.
 */
const balanceSchema = new Schema(
  {
    _id: { type: String, required: true },
    currency: { type: String, required: true },
    bookedMinor: { type: Number, required: true },
    availableMinor: { type: Number, required: true },
    creditLimitMinor: { type: Number },
    asOf: { type: Date, required: true },
  },
  { timestamps: true, collection: 'balances', versionKey: false },
);

export type BalanceRecord = InferSchemaType<typeof balanceSchema>;
export const BalanceModel = model('Balance', balanceSchema);
