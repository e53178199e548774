import type { Response } from 'express';
import { z } from 'zod';
import { toFieldIssues } from './validate.js';

/** Each field's first problem, by the form field's name (`accountIds`, not `accountIds.0`). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of toFieldIssues(error)) errors[issue.field.split('.')[0]!] ??= issue.message;
  return errors;
}

/**
 * A form sent back to be put right (GOV.UK's pattern): 422, the same page with the error
 * summary and each field's problem, and what the person typed kept in the fields.
 */
export function showFormAgain(
  res: Response,
  view: string,
  problems: z.ZodError | Record<string, string>,
  locals: Record<string, unknown>,
) {
  const errors = problems instanceof z.ZodError ? fieldErrors(problems) : problems;
  return res.status(422).render(view, { ...locals, errors });
}
