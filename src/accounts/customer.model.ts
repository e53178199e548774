import { Schema, model } from 'mongoose';

/** A bank customer as the core system knows them, with the accounts they hold. */
const customerSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    email: { type: String, required: true },
    accountIds: { type: [String], default: [] },
  },
  { timestamps: true, collection: 'customers', versionKey: false },
);

export const CustomerModel = model('Customer', customerSchema);
