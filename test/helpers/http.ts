import type { Test } from 'supertest';

/** Reads a streamed (non-JSON) response body as text. */
export function asText(test: Test): Test {
  return test.buffer(true).parse((res, callback) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => callback(null, text));
  });
}
