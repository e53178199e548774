import { hashPassword } from '../auth/password.js';
import { defaultTimeZone, isTimeZone } from '../http/time-words.js';
import type { Role } from './user.model.js';
import { findUser, findUserWithoutSecrets, insertUser, setUserTimeZone } from './user.repository.js';

/** The signed-in person as the rest of the app sees them: never the password hash. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  customerId: string | undefined;
  /** Where dates and times are shown in (an IANA zone); the bank's when they have not chosen. */
  timeZone: string;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findSessionUser(id: string): Promise<SessionUser | undefined> {
  const user = await findUserWithoutSecrets(id);
  return user ? toSessionUser(user) : undefined;
}

export async function findUserForSignin(email: string) {
  return findUser(normaliseEmail(email));
}

/** The customer id of the customer who signs in with this e-mail address, if there is one. */
export async function customerIdOfEmail(email: string): Promise<string | undefined> {
  return (await findUserWithoutSecrets(normaliseEmail(email)))?.customerId ?? undefined;
}

export async function createUser(input: {
  email: string;
  password: string;
  name: string;
  role: Role;
  customerId?: string;
}): Promise<SessionUser> {
  const { password, email, ...rest } = input;
  const user = await insertUser({
    ...rest,
    _id: normaliseEmail(email),
    passwordHash: await hashPassword(password),
  });
  return toSessionUser(user);
}

export function toSessionUser(user: {
  _id: string;
  name: string;
  role: Role;
  customerId?: string | null;
  timeZone?: string | null;
}): SessionUser {
  return {
    id: user._id,
    email: user._id,
    name: user.name,
    role: user.role,
    customerId: user.customerId ?? undefined,
    timeZone: user.timeZone && isTimeZone(user.timeZone) ? user.timeZone : defaultTimeZone,
  };
}

/** The person's choice of time zone for every date and time the pages show them. */
export async function chooseTimeZone(userId: string, timeZone: string): Promise<void> {
  await setUserTimeZone(userId, timeZone);
}
