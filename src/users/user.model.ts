import { Schema, model, type InferSchemaType } from 'mongoose';

export const roles = ['customer', 'compliance', 'admin'] as const;
export type Role = (typeof roles)[number];

/**
 * Everyone who signs in: bank customers and staff. A customer's bank data (accounts,
 * balances, transactions) refers to the user's `customerId`, which is stable and
 * never an email address.
 */
const userSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: roles, required: true },
    name: { type: String, required: true },
    customerId: { type: String },
    lastSignedInAt: { type: Date },
  },
  { timestamps: true, collection: 'users' },
);

userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ customerId: 1 });

export type UserRecord = InferSchemaType<typeof userSchema> & { _id: import('mongoose').Types.ObjectId };
export const UserModel = model('User', userSchema);
