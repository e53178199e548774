import type { Response } from 'express';
import { z } from 'zod';
import { toFieldIssues } from './validate.js';

/**
 * Each field's first problem, by the form field it belongs to (`accountIds` for
 * `accountIds.0`, `jwks` for `jwks.keys.0.kty`); a field the form does not have is named
 * as it was sent (`email.$ne`), so nobody is told the wrong field is at fault.
 */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of toFieldIssues(error)) {
    const field = issue.kind === 'unexpected' ? issue.field : issue.field.split('.')[0]!;
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * Each problem found inside what a form field held (a JSON document typed into a text
 * area, say), by that form field: all of `jwks.keys.0.d` and `jwks.extra` belong to `jwks`.
 */
export function errorsWithinFields(error: z.ZodError): Record<string, string> {
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
