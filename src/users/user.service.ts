import { hashPassword } from '../auth/password.js';
import { UserModel, type Role } from './user.model.js';

/** The signed-in person as the rest of the app sees them: never the password hash. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  customerId: string | undefined;
}

export async function findSessionUser(id: string): Promise<SessionUser | undefined> {
  if (!/^[a-f0-9]{24}$/.test(id)) return undefined;
  const user = await UserModel.findById(id, { passwordHash: 0 }).lean();
  return user ? toSessionUser(user) : undefined;
}

export async function findUserForSignin(email: string) {
  return UserModel.findOne({ email: email.toLowerCase() }).lean();
}

export async function createUser(input: {
  email: string;
  password: string;
  name: string;
  role: Role;
  customerId?: string;
}): Promise<SessionUser> {
  const { password, ...rest } = input;
  const user = await UserModel.create({ ...rest, passwordHash: await hashPassword(password) });
  return toSessionUser(user.toObject());
}

export function toSessionUser(user: {
  _id: { toString(): string };
  email: string;
  name: string;
  role: Role;
  customerId?: string | null;
}): SessionUser {
  return {
    id: user._id.toString(),
    email: user.email,
    name: user.name,
    role: user.role,
    customerId: user.customerId ?? undefined,
  };
}
