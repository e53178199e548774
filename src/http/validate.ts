import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '../errors.js';

/** Parses input with a zod schema and returns the typed value, or throws a ValidationError naming each field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(toFieldIssues(result.error));
}

/** One issue per field, named by its full path (`Data.Permissions.0`); each unknown key is its own issue. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...issue.path, key].join('.'),
        message: 'is not an accepted field',
      }));
    }
    // zod's default words for a missing field ("expected string, received undefined") say it plainly.
    const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
    return [{ field: issue.path.join('.') || '(body)', message: missing ? 'is required' : issue.message }];
  });
}
