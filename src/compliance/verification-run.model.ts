import { Schema, model } from 'mongoose';

/** One run of the verifier started from the compliance pages; written only by the process running it. */
const verificationRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    status: { type: String, enum: ['running', 'done', 'failed'], required: true },
    startedBy: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: Date,
    done: { type: Number, default: 0 },
    total: { type: Number, default: 0 },
    result: Schema.Types.Mixed,
    error: String,
  },
  { collection: 'audit_verification_runs', versionKey: false },
);

export const VerificationRunModel = model('VerificationRun', verificationRunSchema);
