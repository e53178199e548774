import { z } from 'zod';
import { consentStatuses } from './consent.js';

/** Every permission the OB v4.0 specification names; whether this bank serves it is a rule, checked after. */
export const obPermissions = [
  'ReadAccountsBasic',
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadBeneficiariesBasic',
  'ReadBeneficiariesDetail',
  'ReadDirectDebits',
  'ReadOffers',
  'ReadPAN',
  'ReadParty',
  'ReadPartyPSU',
  'ReadProducts',
  'ReadScheduledPaymentsBasic',
  'ReadScheduledPaymentsDetail',
  'ReadStandingOrdersBasic',
  'ReadStandingOrdersDetail',
  'ReadStatementsBasic',
  'ReadStatementsDetail',
  'ReadTransactionsBasic',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
  'ReadTransactionsDetail',
] as const;

const isoDateTime = z.iso
  .datetime({
    offset: true,
    message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-04-05T10:43:07+00:00',
  })
  .transform((value) => new Date(value));

/** OBReadConsent1: the body of POST /account-access-consents. */
export const OBReadConsent1 = z.strictObject({
  Data: z.strictObject({
    Permissions: z.array(z.enum(obPermissions)).min(1, 'must list at least one permission'),
    ExpirationDateTime: isoDateTime.optional(),
    TransactionFromDateTime: isoDateTime.optional(),
    TransactionToDateTime: isoDateTime.optional(),
  }),
  Risk: z.strictObject({}),
});

export const ConsentIdParam = z.strictObject({
  ConsentId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/),
});

const StatusReason = z.object({
  StatusReasonCode: z.string().min(1).max(4),
  StatusReasonDescription: z.string().min(1).max(500),
});

/** OBReadConsentResponse1, as this server answers it. */
export const OBReadConsentResponse1 = z.object({
  Data: z.object({
    ConsentId: z.string(),
    CreationDateTime: z.string(),
    Status: z.enum(consentStatuses),
    StatusReason: z.array(StatusReason).optional(),
    StatusUpdateDateTime: z.string(),
    Permissions: z.array(z.enum(obPermissions)),
    ExpirationDateTime: z.string().optional(),
    TransactionFromDateTime: z.string().optional(),
    TransactionToDateTime: z.string().optional(),
  }),
  Risk: z.object({}),
  Links: z.object({ Self: z.string() }),
  Meta: z.object({}),
});

export { OBErrorResponse1 } from '../open-banking/ob.schemas.js';
