import { UserModel, type Role } from './user.model.js';

/** People who sign in, keyed by their normalised email (docs/storage.md: hot reads by `_id`). */

export async function findUser(id: string) {
  return UserModel.findById(id).lean();
}

export async function findUserWithoutSecrets(id: string) {
  return UserModel.findById(id, { passwordHash: 0 }).lean();
}

export async function insertUser(user: {
  _id: string;
  passwordHash: string;
  name: string;
  role: Role;
  customerId?: string;
}) {
  return (await UserModel.create(user)).toObject();
}

export async function markSignedIn(id: string, at = new Date()): Promise<void> {
  await UserModel.updateOne({ _id: id }, { $set: { lastSignedInAt: at } });
}

export async function anyUserExists(): Promise<boolean> {
  return (await UserModel.estimatedDocumentCount()) > 0;
}

export async function setUserTimeZone(id: string, timeZone: string): Promise<void> {
  await UserModel.updateOne({ _id: id }, { $set: { timeZone } });
}
