import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../errors.js';

/** Parses input with a zod schema and returns the typed value, or throws a ValidationError naming each field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(toFieldIssues(result.error));
}

/** One issue per field, named by its full path (`Data.Permissions.0`); each unknown key is its own issue. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...issue.path, key].join('.'),
        message: 'is not an accepted field',
        kind: 'unexpected' as const,
      }));
    }
    // zod's default words for a missing field ("expected string, received undefined") say it plainly.
    const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
    return [
      {
        field: issue.path.join('.') || '(body)',
        message: missing ? 'is required' : issue.message,
        kind: missing ? ('missing' as const) : ('invalid' as const),
      },
    ];
  });
}

/**
 * Whether a string starting `YYYY-MM-DD` names a day the calendar has (not 30 February),
 * which Date would roll over into the next month. Other strings are left to the pattern
 * check before it, so that only one message names the field.
 */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])/.test(value)) return true;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  return date.getUTCMonth() === month! - 1 && date.getUTCDate() === day;
}

/** For endpoints that take no query parameters: any is refused, not ignored. */
export const NoQuery = z.strictObject({});
