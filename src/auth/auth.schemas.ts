import { z } from 'zod';

export const SigninForm = z.strictObject({
  email: z.email('Enter an email address like name@example.com').max(254),
  password: z.string().min(1, 'Enter your password').max(1024),
  next: z.string().max(2000).optional(),
  _csrf: z.string(),
});

export const SignoutForm = z.strictObject({ _csrf: z.string() });

/** Only same-site paths are followed after sign-in, so the form cannot redirect elsewhere. */
export function safeNextPath(next: string | undefined): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  return next;
}
