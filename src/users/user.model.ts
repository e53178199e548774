import { Schema, model } from 'mongoose';

export const roles = ['customer', 'compliance', 'admin'] as const;
export type Role = (typeof roles)[number];

/**
 * Everyone who signs in: bank customers and staff, keyed by their lower-cased email so
 * that sign-in is a primary-key lookup. A customer's bank data hangs off `customerId`.
 */
const userSchema = new Schema(
  {
    _id: { type: String, required: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: roles, required: true },
    name: { type: String, required: true },
    customerId: { type: String },
    lastSignedInAt: { type: Date },
    /** IANA time zone the person chose for dates and times on the pages. */
    timeZone: { type: String },
  },
  { timestamps: true, collection: 'users', versionKey: false },
);

export const UserModel = model('User', userSchema);
