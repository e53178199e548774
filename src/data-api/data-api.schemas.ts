import { z } from 'zod';
import { isCalendarDate } from '../http/validate.js';

/** The requests the account information API accepts; the routes parse with these, and /openapi.json describes them. */

// OB: "If the Date Time contains a timezone, the ASPSP must ignore the timezone component."
const bookingDateTime = z
  .string()
  .regex(
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$/,
    'must be an ISO 8601 date-time',
  )
  .refine(isCalendarDate, 'is not a real date')
  .transform((value) => {
    const local = value.replace(/(Z|[+-]\d{2}:?\d{2})$/, '');
    return new Date(`${local.length === 10 ? `${local}T00:00:00` : local}Z`);
  })
  .refine((date) => !Number.isNaN(date.getTime()), 'is not a real date');

export const TransactionsQuery = z.strictObject({
  fromBookingDateTime: bookingDateTime.optional().describe('ISO 8601; any time zone is ignored'),
  toBookingDateTime: bookingDateTime.optional().describe('ISO 8601; any time zone is ignored'),
  page: z.string().max(200).optional().describe('from Links.Next'),
});

export { NoQuery } from '../http/validate.js';

export const AccountParam = z.strictObject({
  AccountId: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9._-]+$/),
});
