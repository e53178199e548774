import { obBasePath } from '../open-banking/ob-api.js';

/**
 * Endpoint classes of the developer interface, as Australia's CDR groups them for its
 * latency limits: authorisation (token and pushed authorisation requests, limit 1,000 ms),
 * consent (the consent API, revocation included, 1,000 ms), reads with the customer present
 * (1,500 ms) and unattended reads (no customer present). Anything else is not counted.
 */
export const endpointClasses = ['authorisation', 'consent', 'customerPresent', 'unattended'] as const;
export type EndpointClass = (typeof endpointClasses)[number];

/** The published latency limit of each class (95% of calls within it), where there is one. */
export const latencyLimitMs: Record<EndpointClass, number | undefined> = {
  authorisation: 1000,
  consent: 1000,
  customerPresent: 1500,
  unattended: undefined,
};

export function classOf(method: string, path: string, customerPresent: boolean): EndpointClass | undefined {
  if (method === 'POST' && (path === '/oauth/token' || path === '/oauth/par')) return 'authorisation';
  if (!path.startsWith(obBasePath)) return undefined;
  if (path.startsWith(`${obBasePath}/account-access-consents`)) return 'consent';
  return customerPresent ? 'customerPresent' : 'unattended';
}
