import { z } from 'zod';
import type { Operation } from '../openapi/openapi.js';
import { obBasePath } from '../open-banking/ob-api.js';
import {
  ConsentIdParam,
  OBErrorResponse1,
  OBReadConsent1,
  OBReadConsentResponse1,
} from './consent.schemas.js';

const tags = ['Open Banking: account-access consents'];
const fapiHeaders = z.object({
  'x-fapi-interaction-id': z
    .uuid()
    .optional()
    .describe('an RFC 4122 UUID: echoed back (ours when absent) and kept in the audit log as interactionId'),
  DPoP: z.string().describe('DPoP proof for this request, bound to the access token'),
});
const refusals = {
  400: {
    description: 'Invalid body or consent rules not met (OB error body naming the field)',
    schema: OBErrorResponse1,
  },
  401: { description: 'Missing, invalid or revoked DPoP-bound access token', schema: OBErrorResponse1 },
  403: { description: 'Token without the accounts scope, or app suspended', schema: OBErrorResponse1 },
  503: {
    description:
      'The database or the audit log is unavailable (U014). Usually nothing was done; if the database went away in the middle of a write, the outcome is unknown, so read the consent (GET) before trying again',
    schema: OBErrorResponse1,
  },
};

export const consentOperations: Operation[] = [
  {
    method: 'post',
    path: `${obBasePath}/account-access-consents`,
    summary: 'Create an account-access consent (client credentials token, scope accounts)',
    tags,
    security: 'oauthClient',
    headers: fapiHeaders,
    body: {
      schema: OBReadConsent1,
      example: {
        Data: {
          Permissions: [
            'ReadAccountsDetail',
            'ReadBalances',
            'ReadTransactionsDetail',
            'ReadTransactionsCredits',
            'ReadTransactionsDebits',
          ],
        },
        Risk: {},
      },
    },
    responses: {
      201: { description: 'Created, awaiting authorisation', schema: OBReadConsentResponse1 },
      429: {
        description:
          'More consents this minute than the app may create (U018); Retry-After says when to try again',
        schema: OBErrorResponse1,
      },
      ...refusals,
    },
  },
  {
    method: 'get',
    path: `${obBasePath}/account-access-consents/{ConsentId}`,
    summary: 'Read a consent of this app',
    tags,
    security: 'oauthClient',
    params: ConsentIdParam,
    headers: fapiHeaders,
    responses: {
      200: { description: 'The consent', schema: OBReadConsentResponse1 },
      404: { description: 'No such consent for this app', schema: OBErrorResponse1 },
      ...refusals,
    },
  },
  {
    method: 'delete',
    path: `${obBasePath}/account-access-consents/{ConsentId}`,
    summary:
      'Withdraw a consent: an authorised one is cancelled, a pending one rejected; its tokens stop at once',
    tags,
    security: 'oauthClient',
    params: ConsentIdParam,
    headers: fapiHeaders,
    responses: {
      204: { description: 'Withdrawn (or already ended)' },
      404: { description: 'No such consent for this app', schema: OBErrorResponse1 },
      ...refusals,
    },
  },
];
