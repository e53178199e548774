import { Schema, model } from 'mongoose';

/**
 * Each version of an account's sharing state (sharing-state.ts), keyed
 * `<AccountId>#<version>`: inserting it claims the change; it counts once its audit event is
 * written (`audited`), and its outcome is decided once by inserting `<id>#outcome`.
 */
const sharingVersionSchema = new Schema(
  {
    _id: { type: String, required: true },
    accountId: { type: String },
    version: { type: Number },
    sharing: { type: Schema.Types.Mixed },
    at: { type: Date },
    actorId: { type: String },
    status: { type: String, enum: ['claimed', 'audited', 'abandoned'] },
    outcome: { type: String, enum: ['audited', 'abandoned'] },
    // The audit event that recorded the change (db/decided-change.ts).
    auditSeq: { type: Number },
  },
  { collection: 'account_sharing', versionKey: false },
);
export const SharingVersionModel = model('SharingVersion', sharingVersionSchema);

/** The highest version known of each account's sharing, a hint where the search for the latest starts. */
const sharingHeadSchema = new Schema(
  { _id: { type: String, required: true }, version: { type: Number, required: true } },
  { collection: 'account_sharing_heads', versionKey: false },
);
export const SharingHeadModel = model('SharingHead', sharingHeadSchema);
