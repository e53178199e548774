import { Schema, model, type InferSchemaType } from 'mongoose';

const attemptSchema = new Schema({ at: Date, status: Number, error: String }, { _id: false });

/** One notice to one app, with every delivery attempt. Kept after delivery, as the record. */
const webhookDeliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    clientId: { type: String, required: true },
    consentId: { type: String, required: true },
    event: { type: String, required: true },
    url: { type: String, required: true },
    // What the notice says; it is signed afresh at each attempt, so its exp stays short.
    claims: { type: Schema.Types.Mixed },
    // Notices queued before claims were kept hold their signed form instead.
    jws: { type: String },
    status: { type: String, enum: ['pending', 'delivered', 'failed'], required: true },
    attempts: { type: [attemptSchema], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'webhook_deliveries', versionKey: false },
);

export type WebhookDeliveryRecord = InferSchemaType<typeof webhookDeliverySchema>;
export const WebhookDeliveryModel = model('WebhookDelivery', webhookDeliverySchema);

/** Deliveries still to attempt, and when: small, so the worker can read all of it. */
const webhookQueueSchema = new Schema(
  { _id: { type: String, required: true }, nextAttemptAt: { type: Date, required: true } },
  { collection: 'webhook_queue', versionKey: false },
);
export const WebhookQueueModel = model('WebhookQueue', webhookQueueSchema);
