import assert from 'node:assert/strict';

/** A refusal as the tests see it: status, and the body as text and (when JSON) parsed. */
export interface Refusal {
  status: number;
  text: string;
  body?: unknown;
}

interface JsonIssues {
  issues?: { field: string; message: string }[];
}
interface ObErrors {
  Code?: string;
  Errors?: { ErrorCode: string; Message: string; Path?: string }[];
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The fields a page names as wrong: in the form's error summary, or in the error page's message. */
export function fieldsNamedOnPage(html: string): string[] {
  const fromSummary = [
    ...[...html.matchAll(/<li><a href="#[^"]*">([^<]*)<\/a>: /g)].map((m) => m[1]!),
    // A problem told in plain words names its form field in data-field.
    ...[...html.matchAll(/<li><a href="#[^"]*" data-field="([^"]*)">/g)].map((m) => m[1]!),
  ];
  const message = /<section class="card narrow">\s*<h1>[^<]*<\/h1>\s*<p>([^<]*)<\/p>/.exec(html)?.[1] ?? '';
  const fromMessage = message
    .split('; ')
    .map((part) => /^([^:]+): /.exec(part)?.[1])
    .filter((f): f is string => Boolean(f));
  return [...fromSummary, ...fromMessage].flatMap((f) => unescapeHtml(f).split(', '));
}

/**
 * Asserts a refusal with one of `statuses` that names `field`: in `issues` for the JSON API,
 * in an OB error's Path for the OB API, or on the page (error summary or error page) for forms.
 */
export function assertNamesField(res: Refusal, field: string, statuses: number[], label: string) {
  assert.ok(
    statuses.includes(res.status),
    `${label}: status ${res.status}, expected ${statuses.join('/')}: ${res.text.replace(/^[^]*<main[^>]*>/, '').slice(0, 400)}`,
  );
  const body = res.body as (JsonIssues & ObErrors) | undefined;
  if (body?.Errors) {
    assert.match(body.Code ?? '', /^4\d\d /, `${label}: OB error Code`);
    assert.ok(
      body.Errors.some((e) => e.Path === field || e.Path?.split(', ').includes(field)),
      `${label}: OB errors name ${field}: ${JSON.stringify(body.Errors)}`,
    );
    assert.ok(
      body.Errors.every((e) => /^U0\d\d$/.test(e.ErrorCode)),
      `${label}: OB error codes`,
    );
  } else if (body?.issues) {
    assert.ok(
      body.issues.some((i) => i.field === field || i.field.split(', ').includes(field)),
      `${label}: issues name ${field}: ${JSON.stringify(body.issues)}`,
    );
  } else {
    const named = fieldsNamedOnPage(res.text);
    assert.ok(
      named.includes(field),
      `${label}: the page names ${field} (it names ${named.join(', ') || 'nothing'})`,
    );
  }
}
