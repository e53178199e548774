import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { uniqueIp } from './app.js';

export type Agent = ReturnType<typeof request.agent>;

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, 'page has a CSRF token');
  return match[1]!;
}

/** An agent (cookie jar) with its own client IP, holding a CSRF token from the sign-in page. */
export async function anonymousAgent(app: Express) {
  const ip = uniqueIp();
  const agent = request.agent(app).set('X-Forwarded-For', ip);
  const page = await agent.get('/signin').expect(200);
  return { agent, ip, csrf: csrfFrom(page.text) };
}

export async function signedInAgent(app: Express, person: { email: string; password: string }) {
  const { agent, ip, csrf } = await anonymousAgent(app);
  await agent
    .post('/signin')
    .type('form')
    .send({ _csrf: csrf, email: person.email, password: person.password })
    .expect(303);
  const page = await agent.get('/').redirects(1).expect(200);
  return { agent, ip, csrf: csrfFrom(page.text) };
}

/** `times` sign-ins as `person` with a wrong password, each refused (401). */
export async function failedSignIns(app: Express, person: { email: string }, times: number) {
  const { agent: visitor, csrf } = await anonymousAgent(app);
  for (let i = 0; i < times; i++)
    await visitor
      .post('/signin')
      .type('form')
      .send({ _csrf: csrf, email: person.email, password: 'no' })
      .expect(401);
}
