import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A card transaction. Amounts are positive integers in minor units; the direction is
 * `creditDebit`. Pending transactions have a booking time (when authorised) but no value
 * date yet.
 */
const transactionSchema = new Schema(
  {
    transactionId: { type: String, required: true },
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
  { _id: false },
);

/**
 * An account's transactions for one calendar month (UTC), newest first, keyed
 * `<AccountId>:<YYYY-MM>`. The data API's access path, account + booking time, is the
 * primary key itself: a window of months is a handful of primary-key reads whatever the
 * size of the bank (the bucket pattern; see src/db/primary-key.ts for why).
 */
const transactionMonthSchema = new Schema(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    month: { type: String, required: true },
    transactions: { type: [transactionSchema], default: [] },
  },
  { collection: 'transaction_months', versionKey: false },
);

export type TransactionRecord = InferSchemaType<typeof transactionSchema>;
export const TransactionMonthModel = model('TransactionMonth', transactionMonthSchema);
