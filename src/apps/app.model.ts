import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A third-party app registered as an OAuth client, keyed by its client_id. Its JWKS holds
 * public keys only (it signs its client assertions and DPoP proofs with the private ones).
 */
const appSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    purpose: { type: String, required: true },
    /** The company behind the app, and its regulator's register entry, shown to customers. */
    legalName: { type: String },
    registration: { type: String },
    redirectUris: { type: [String], required: true },
    jwks: { type: Schema.Types.Mixed },
    jwksUri: { type: String },
    webhookUrl: { type: String },
    status: { type: String, enum: ['active', 'suspended'], required: true },
    tokenEndpointAuthMethod: {
      type: String,
      enum: ['private_key_jwt', 'client_secret_basic'],
      required: true,
    },
    // Only for client_secret_basic, which is allowed in development alone: the SHA-256 of the
    // secret the app was given once (apps/client-secret.ts); the secret itself is never kept.
    clientSecretHash: { type: String },
    createdBy: { type: String, required: true },
    suspendedAt: { type: Date },
    /** Why staff suspended it (also in the app.suspended audit event). */
    suspensionReason: { type: String },
  },
  { collection: 'apps', versionKey: false, timestamps: true },
);

export type AppRecord = InferSchemaType<typeof appSchema>;
export const AppModel = model('App', appSchema);

/** App names in use, by their normalised form (`_id`): claimed at registration so two apps never share a name. */
const appNameSchema = new Schema(
  { _id: { type: String, required: true }, clientId: { type: String, required: true } },
  { collection: 'app_names', versionKey: false },
);
export const AppNameModel = model('AppName', appNameSchema);
