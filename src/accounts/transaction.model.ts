import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A card transaction on an account. Amounts are positive integers in minor units; the
 * direction is `creditDebit`. Pending transactions have a booking time (when authorised)
 * but their value date is not yet settled.
 */
const transactionSchema = new Schema(
  {
    transactionId: { type: String, required: true },
    accountId: { type: String, required: true },
    bookingDateTime: { type: Date, required: true },
    valueDateTime: { type: Date },
    amountMinor: { type: Number, required: true, min: 0 },
    currency: { type: String, required: true },
    creditDebit: { type: String, enum: ['Credit', 'Debit'], required: true },
    status: { type: String, enum: ['Booked', 'Pending'], required: true },
    description: { type: String, required: true },
    merchantName: { type: String },
    merchantCategoryCode: { type: String },
    cardScheme: { type: String },
    cardAuthorisation: { type: String, enum: ['ChipAndPin', 'Contactless', 'ConsumerDevice', 'None'] },
    maskedPan: { type: String },
    balanceAfterMinor: { type: Number },
  },
  { collection: 'transactions' },
);

// The data API pages an account's transactions newest first within a booking window;
// transactionId breaks ties so cursors are stable.
transactionSchema.index({ accountId: 1, bookingDateTime: -1, transactionId: -1 });
transactionSchema.index({ transactionId: 1 }, { unique: true });

export type TransactionRecord = InferSchemaType<typeof transactionSchema>;
export const TransactionModel = model('Transaction', transactionSchema);
