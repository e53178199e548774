import { Schema, model } from 'mongoose';

/**
 * The audit log: one append-only collection. Nothing in the application updates or
 * deletes these documents. `_id` is the zero-padded sequence number; an event is
 * written by inserting at the next free sequence number, and the unique `_id` makes
 * that claim atomic across processes (see audit-writer.ts).
 */
const auditEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    day: { type: String, required: true },
    action: { type: String, required: true },
    actor: { type: { type: String, required: true }, id: String },
    outcome: { type: String, required: true },
    reason: String,
    customerId: String,
    clientId: String,
    consentId: String,
    resource: String,
    accountIds: { type: [String], default: undefined },
    holderIds: { type: [String], default: undefined },
    consentIds: { type: [String], default: undefined },
    permissions: { type: [String], default: undefined },
    recordCount: Number,
    requestId: String,
    interactionId: String,
    ip: String,
    userAgent: String,
    details: Schema.Types.Mixed,
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
    mac: { type: String, required: true },
  },
  { collection: 'audit_events', versionKey: false, strict: 'throw' },
);

// No secondary indexes: filtered queries go through the posting lists in
// audit-index.model.ts, which work the same on MongoDB and on the embedded database.
export const AuditEventModel = model('AuditEvent', auditEventSchema);

/** Signed statements of the chain head at a moment: `_id` is the head's zero-padded sequence number. */
const auditCheckpointSchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    hash: { type: String, required: true },
    at: { type: Date, required: true },
    keyId: { type: String, required: true },
    signature: { type: String, required: true },
    trigger: { type: String, enum: ['periodic', 'on_demand'], required: true },
  },
  { collection: 'audit_checkpoints', versionKey: false },
);

export const AuditCheckpointModel = model('AuditCheckpoint', auditCheckpointSchema);
