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

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findSessionUser(id: string): Promise<SessionUser | undefined> {
  const user = await UserModel.findById(id, { passwordHash: 0 }).lean();
  return user ? toSessionUser(user) : undefined;
}

export async function findUserForSignin(email: string) {
  return UserModel.findById(normaliseEmail(email)).lean();
}

export async function createUser(input: {
  email: string;
  password: string;
  name: string;
  role: Role;
  customerId?: string;
}): Promise<SessionUser> {
  const { password, email, ...rest } = input;
  const user = await UserModel.create({
    ...rest,
    _id: normaliseEmail(email),
    passwordHash: await hashPassword(password),
  });
  return toSessionUser(user.toObject());
}

export function toSessionUser(user: {
  _id: string;
  name: string;
  role: Role;
  customerId?: string | null;
}): SessionUser {
  return {
    id: user._id,
    email: user._id,
    name: user.name,
    role: user.role,
    customerId: user.customerId ?? undefined,
  };
}
