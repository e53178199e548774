import { claim } from '../db/primary-key.js';
import { AppModel, AppNameModel, type AppRecord } from './app.model.js';

/** The app registry, keyed by client_id. Small: apps are registered by staff one by one. */

export async function insertApp(app: Omit<AppRecord, 'createdAt' | 'updatedAt'>): Promise<AppRecord> {
  return (await AppModel.create(app)).toObject() as AppRecord;
}

export async function findApp(clientId: string): Promise<AppRecord | undefined> {
  return ((await AppModel.findById(clientId).lean()) as AppRecord | null) ?? undefined;
}

/** Every app (a scan of the registry: admin pages only). */
export async function allApps(): Promise<AppRecord[]> {
  return (await AppModel.find({}).lean()) as AppRecord[];
}

/** One staff member at a time changes an app's status; last writer wins, and both outcomes are audited. */
export async function setStatus(
  clientId: string,
  status: 'active' | 'suspended',
  reason?: string,
  at = new Date(),
): Promise<void> {
  const suspended = status === 'suspended';
  await AppModel.updateOne(
    { _id: clientId },
    {
      $set: {
        status,
        suspendedAt: suspended ? at : null,
        suspensionReason: suspended ? (reason ?? null) : null,
      },
    },
  );
}

/**
 * Takes a name for an app: false when another app has it. The claim settles two
 * registrations racing for one name; `allApps` covers apps registered before names were claimed.
 */
export async function claimAppName(nameKey: string, clientId: string): Promise<boolean> {
  return claim(AppNameModel, { _id: nameKey, clientId });
}

export async function releaseAppName(nameKey: string, clientId: string): Promise<void> {
  await AppNameModel.deleteOne({ _id: nameKey, clientId });
}
