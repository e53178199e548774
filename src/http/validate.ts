import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '../errors.js';

/** Parses input with a zod schema and returns the typed value, or throws a ValidationError naming each field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(toFieldIssues(result.error));
}

export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), message: 'is not an accepted field' };
    }
    return { field: issue.path.join('.') || '(body)', message: issue.message };
  });
}
