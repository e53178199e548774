import { z } from 'zod';
import { obBasePath } from '../open-banking/ob-api.js';
import { OBErrorResponse1 } from '../open-banking/ob.schemas.js';
import type { Operation } from '../openapi/openapi.js';
import { AccountParam, TransactionsQuery } from './data-api.schemas.js';

/** The OB v4.0 bodies as this server returns them (a subset of the specification's schemas). */
const Amount = z.object({ Amount: z.string().regex(/^\d{1,13}\.\d{2}$/), Currency: z.string().length(3) });
const Links = z.object({ Self: z.string(), Next: z.string().optional() });
const Meta = z.object({});

const OBAccount6 = z.object({
  AccountId: z.string(),
  Status: z.enum(['Enabled', 'Disabled']),
  Currency: z.string(),
  AccountCategory: z.literal('Personal'),
  AccountTypeCode: z.enum(['CACC', 'CARD']),
  Description: z.string(),
  Nickname: z.string().optional(),
  OpeningDate: z.string(),
  Account: z
    .array(
      z.object({
        SchemeName: z.enum(['UK.OBIE.SortCodeAccountNumber', 'UK.OBIE.PAN']),
        Identification: z.string(),
        Name: z.string(),
      }),
    )
    .optional()
    .describe('with ReadAccountsDetail only; card numbers masked unless ReadPAN'),
});

const OBBalance = z.object({
  AccountId: z.string(),
  CreditDebitIndicator: z.enum(['Credit', 'Debit']),
  Type: z.enum(['ITBD', 'ITAV']),
  DateTime: z.string(),
  Amount,
  CreditLine: z.array(z.object({ Included: z.boolean(), Type: z.literal('Credit'), Amount })).optional(),
});

const OBTransaction6 = z.object({
  AccountId: z.string(),
  TransactionId: z.string(),
  CreditDebitIndicator: z.enum(['Credit', 'Debit']),
  Status: z.enum(['BOOK', 'PDNG']),
  BookingDateTime: z.string(),
  ValueDateTime: z.string().optional(),
  Amount,
  TransactionInformation: z.string().optional().describe('ReadTransactionsDetail only'),
  Balance: z
    .object({ CreditDebitIndicator: z.enum(['Credit', 'Debit']), Type: z.literal('ITBD'), Amount })
    .optional(),
  MerchantDetails: z
    .object({ MerchantName: z.string(), MerchantCategoryCode: z.string().optional() })
    .optional(),
  CardInstrument: z
    .object({
      CardSchemeName: z.string(),
      AuthorisationType: z.enum(['ConsumerDevice', 'Contactless', 'None', 'PIN']).optional(),
      Identification: z.string().optional(),
    })
    .optional(),
});

const accounts = z.object({ Data: z.object({ Account: z.array(OBAccount6) }), Links, Meta });
const balances = z.object({ Data: z.object({ Balance: z.array(OBBalance) }), Links, Meta });
const transactions = z.object({ Data: z.object({ Transaction: z.array(OBTransaction6) }), Links, Meta });

const headers = z.object({
  'x-fapi-customer-ip-address': z
    .union([z.ipv4(), z.ipv6()])
    .optional()
    .describe(
      "the customer's IP address, sent only while the customer is present; without it, calls are limited per day",
    ),
  'x-fapi-interaction-id': z
    .uuid()
    .optional()
    .describe('an RFC 4122 UUID: echoed back (ours when absent) and kept in the audit log as interactionId'),
  DPoP: z.string(),
});
const refusals = {
  400: { description: 'Invalid query (OB error body naming the field)', schema: OBErrorResponse1 },
  401: { description: 'Missing, invalid or revoked DPoP-bound access token', schema: OBErrorResponse1 },
  403: {
    description: 'Consent not authorised, permission not granted, or account not shared',
    schema: OBErrorResponse1,
  },
  429: { description: 'Unattended daily limit reached', schema: OBErrorResponse1 },
  503: {
    description:
      'The database could not be reached or the access could not be audited, so no data was returned (U014); try again shortly',
    schema: OBErrorResponse1,
  },
};
const tags = ['Open Banking: account information'];
const op = (path: string, summary: string, schema: z.ZodType, extra: Partial<Operation> = {}): Operation => ({
  method: 'get',
  path: `${obBasePath}${path}`,
  summary,
  tags,
  security: 'oauthCustomer',
  headers,
  responses: { 200: { description: 'OK', schema }, ...refusals },
  ...extra,
});

export const dataApiOperations: Operation[] = [
  op('/accounts', 'The accounts the customer shared', accounts),
  op('/accounts/{AccountId}', 'One shared account', accounts, { params: AccountParam }),
  op('/accounts/{AccountId}/balances', "A shared account's balances (ReadBalances)", balances, {
    params: AccountParam,
  }),
  op('/balances', 'Balances of every shared account (ReadBalances)', balances),
  op(
    '/accounts/{AccountId}/transactions',
    "A shared account's transactions, newest first, paged",
    transactions,
    {
      params: AccountParam,
      query: TransactionsQuery,
    },
  ),
  op('/transactions', 'Transactions of every shared account, paged', transactions, {
    query: TransactionsQuery,
  }),
];
