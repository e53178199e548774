import { Schema, model, type Model } from 'mongoose';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { AppModel, type AppRecord } from '../apps/app.model.js';
import { claim } from '../db/primary-key.js';

/**
 * oidc-provider's storage, one collection per model (`oidc_<model>`), every read by
 * `_id`. Expiry is checked when read (the library checks it too) and expired documents
 * are removed by a sweep; there are no TTL indexes. Clients are not stored here: they
 * are the registered apps, and a suspended app is not found, which stops its tokens.
 */
const artefactSchema = new Schema(
  {
    _id: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    expiresAt: { type: Date },
    grantId: { type: String },
  },
  { versionKey: false, strict: false },
);

type ArtefactModel = Model<StoredArtefact>;

const models = new Map<string, ArtefactModel>();

function modelFor(name: string): ArtefactModel {
  let found = models.get(name);
  if (!found) {
    const collection = `oidc_${name.replace(/[A-Z]/g, (c, i: number) => (i ? '_' : '') + c.toLowerCase())}`;
    found = model(`Oidc${name}`, artefactSchema.clone(), collection) as unknown as ArtefactModel;
    models.set(name, found);
  }
  return found;
}

export const oidcModelNames = [
  'Session',
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'Interaction',
  'ReplayDetection',
  'PushedAuthorizationRequest',
  'Grant',
] as const;

/** The artefacts oidc-provider consumes (single use); only these need the consumed check. */
const consumable = new Set(['AuthorizationCode', 'RefreshToken', 'PushedAuthorizationRequest']);

interface StoredArtefact {
  _id: string;
  payload: AdapterPayload;
  expiresAt?: Date;
}

export class MongoOidcAdapter implements Adapter {
  private readonly store: ArtefactModel;

  constructor(private readonly name: string) {
    this.store = modelFor(name);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : undefined;
    if (this.name === 'ReplayDetection') return keepReplayRecord(this.store, id, expiresAt);
    await this.store.replaceOne(
      { _id: id },
      {
        payload,
        ...(expiresAt ? { expiresAt } : {}),
        ...(payload.grantId ? { grantId: payload.grantId } : {}),
      },
      { upsert: true },
    );
    // Sessions are also found by their uid: a pointer document keyed by it.
    if (this.name === 'Session' && payload.uid) {
      await pointTo(this.store, `uid:${payload.uid}`, id, expiresAt);
    }
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.name === 'Client') return clientMetadata(id);
    if (this.name === 'ReplayDetection') return firstUseOf(this.store, id);
    const doc = (await this.store.findById(id).lean()) as StoredArtefact | null;
    if (!doc || (doc.expiresAt && doc.expiresAt <= new Date())) return undefined;
    // Consumption is a separate insert (see consume), so two racing code exchanges cannot both win.
    if (consumable.has(this.name) && (await this.store.exists({ _id: `consumed:${id}` }))) {
      return { ...doc.payload, consumed: Math.floor(Date.now() / 1000) };
    }
    return doc.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const pointer = (await this.store.findById(`uid:${uid}`).lean()) as { target?: string } | null;
    return pointer?.target ? this.find(pointer.target) : undefined;
  }

  async findByUserCode(): Promise<AdapterPayload | undefined> {
    return undefined; // the device flow is not offered
  }

  /** Marks an artefact used, once: the first consumer's insert wins, a second consumer gets invalid_grant. */
  async consume(id: string): Promise<void> {
    const doc = (await this.store.findById(id).lean()) as StoredArtefact | null;
    const won = await claim(this.store, {
      _id: `consumed:${id}`,
      payload: {},
      expiresAt: doc?.expiresAt,
    });
    // The loser of a race answers as a reused code or token would: invalid_grant, not a server error.
    if (!won) throw new errors.InvalidGrant(`${this.name} was already used`);
  }

  async destroy(id: string): Promise<void> {
    await this.store.deleteOne({ _id: id });
  }

  /** Removes every artefact of a grant (a scan: this happens only on revocation, which the grant's own removal already enforces). */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.store.deleteMany({ grantId });
  }
}

/**
 * oidc-provider checks a client assertion's or DPoP proof's `jti` by finding it, then
 * saving it: two copies of one proof sent at once could both pass that check. Here the
 * find itself is the insert claim, so exactly one use wins; the record is kept for a
 * day (longer than any proof is accepted), and the later save only extends it if the
 * token asks for more.
 */
const replayRecordLifetimeMs = 24 * 3600_000;

async function firstUseOf(store: ArtefactModel, id: string): Promise<AdapterPayload | undefined> {
  const won = await claim(store, {
    _id: id,
    payload: {},
    expiresAt: new Date(Date.now() + replayRecordLifetimeMs),
  });
  return won ? undefined : { jti: id };
}

async function keepReplayRecord(store: ArtefactModel, id: string, expiresAt: Date | undefined) {
  if (!expiresAt || expiresAt.getTime() <= Date.now() + replayRecordLifetimeMs) return;
  await store.updateOne({ _id: id }, { $set: { expiresAt } });
}

async function pointTo(store: ArtefactModel, id: string, target: string, expiresAt: Date | undefined) {
  const fields = { target, ...(expiresAt ? { expiresAt } : {}) };
  if (!(await claim(store, { _id: id, payload: {}, ...fields })))
    await store.updateOne({ _id: id }, { $set: fields });
}

/** Removes expired artefacts (called periodically). */
export async function sweepExpiredOidcArtefacts(now = new Date()) {
  for (const name of oidcModelNames) await modelFor(name).deleteMany({ expiresAt: { $lte: now } });
}

/** A registered app as oidc-provider client metadata; suspended apps do not exist for the provider. */
async function clientMetadata(clientId: string): Promise<AdapterPayload | undefined> {
  const app = (await AppModel.findById(clientId).lean()) as AppRecord | null;
  if (!app || app.status !== 'active') return undefined;
  return {
    client_id: app._id,
    client_name: app.name,
    application_type: 'web',
    redirect_uris: app.redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    scope: 'openid accounts',
    dpop_bound_access_tokens: true,
    require_pushed_authorization_requests: true,
    id_token_signed_response_alg: 'ES256',
    token_endpoint_auth_method: app.tokenEndpointAuthMethod,
    ...(app.jwks ? { jwks: app.jwks } : {}),
    ...(app.jwksUri ? { jwks_uri: app.jwksUri } : {}),
    // The hash: every Basic credential is hashed before the server compares (apps/client-secret.ts).
    ...(app.clientSecretHash ? { client_secret: app.clientSecretHash } : {}),
  } as AdapterPayload;
}
