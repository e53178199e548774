import { z } from 'zod';
import { isInternalAddress } from '../webhooks/webhook-sender.js';

const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

/** https everywhere; plain http only to this machine, and only when development settings allow it. */
export function appUrl(allowLoopbackHttp: boolean) {
  return (
    z
      .url({ protocol: /^https?$/ })
      .max(500)
      .refine((url) => url.startsWith('https://') || (allowLoopbackHttp && loopback.test(url)), {
        message: allowLoopbackHttp ? 'must use https (or http to localhost)' : 'must use https',
      })
      .refine((url) => !url.includes('#'), { message: 'must not contain a fragment' })
      // The server calls these addresses itself (webhooks, keys): never this machine or a
      // private network, except in development. Names are checked again when they are resolved.
      .refine((url) => allowLoopbackHttp || !namesInternalHost(url), {
        message: 'must not point at this machine or a private network',
      })
  );
}

function namesInternalHost(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || isInternalAddress(host);
}

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const jwkMemberName = /^[A-Za-z][A-Za-z0-9_#-]{0,39}$/;

const PublicJwk = z
  .looseObject({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    kid: z.string().max(200).optional(),
    use: z.enum(['sig']).optional(),
    alg: z.string().max(20).optional(),
  })
  .refine((jwk) => !privateMembers.some((member) => member in jwk), {
    message: 'must contain public keys only (no private key members such as "d")',
  })
  // The key is stored as given: member names are JWK names (no `$` or `.`, which the database
  // reads as operators and paths) and values are strings or lists of strings, never objects.
  .superRefine((jwk, ctx) => {
    for (const [name, value] of Object.entries(jwk)) {
      if (!jwkMemberName.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is not a JWK member name' });
      } else if (!isJwkValue(value)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'must be a string or a list of strings' });
      }
    }
  });

function isJwkValue(value: unknown): boolean {
  const short = (v: unknown) => typeof v === 'string' && v.length <= 10_000;
  return short(value) || (Array.isArray(value) && value.length <= 20 && value.every(short));
}

export const Jwks = z.strictObject({ keys: z.array(PublicJwk).min(1).max(10) });

export interface RegistrationPolicy {
  allowClientSecretBasic: boolean;
  allowLoopbackHttp: boolean;
}

export function AppRegistration(policy: RegistrationPolicy) {
  return z
    .strictObject({
      name: z.string().trim().min(2).max(100),
      purpose: z
        .string()
        .trim()
        .min(10, 'must say, in a sentence, what the app does with the data')
        .max(500)
        .default('Shows you your spending and balances across your banks.'),
      // Who the customer deals with, shown on the consent screen (UK CEG): the company and its
      // regulator's register entry, e.g. "Budget Buddy Ltd" and "FCA firm reference 123456".
      legalName: z.string().trim().min(2).max(200).optional(),
      registration: z.string().trim().min(2).max(200).optional(),
      redirectUris: z.array(appUrl(policy.allowLoopbackHttp)).min(1).max(10),
      jwks: Jwks.optional(),
      jwksUri: appUrl(false).optional(),
      webhookUrl: appUrl(policy.allowLoopbackHttp).optional(),
      tokenEndpointAuthMethod: z
        .enum(['private_key_jwt', 'client_secret_basic'])
        .default('private_key_jwt')
        .refine((method) => method === 'private_key_jwt' || policy.allowClientSecretBasic, {
          message: 'client_secret_basic is allowed only when ALLOW_CLIENT_SECRET_BASIC is true',
        }),
    })
    .refine((app) => app.tokenEndpointAuthMethod !== 'private_key_jwt' || app.jwks || app.jwksUri, {
      message: 'private_key_jwt needs a JWKS (jwks or jwksUri) with the app’s public keys',
      path: ['jwks'],
    })
    .refine((app) => !(app.jwks && app.jwksUri), {
      message: 'give jwks or jwksUri, not both',
      path: ['jwksUri'],
    });
}

export type AppRegistrationInput = z.output<ReturnType<typeof AppRegistration>>;
