import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { buildTestApp } from '../helpers/app.js';
import { signedInAgent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';

describe('role guards on pages', () => {
  let app: Express;
  before(() => {
    app = buildTestApp();
  });
  const pages: Record<string, string> = {
    '/my/accounts': 'customer',
    '/compliance': 'compliance',
    '/admin': 'admin',
  };

  it('anonymous visitors are sent to sign in, with the page to return to', async () => {
    for (const path of Object.keys(pages)) {
      const res = await request(app).get(path).expect(303);
      assert.equal(res.headers.location, `/signin?next=${encodeURIComponent(path)}`);
    }
  });

  for (const role of ['customer', 'compliance', 'admin'] as const) {
    it(`a ${role} reaches only the ${role} page and gets 403 elsewhere`, async () => {
      const person = await createPerson(role);
      const { agent } = await signedInAgent(app, person);
      for (const [path, owner] of Object.entries(pages)) {
        const res = await agent.get(path);
        if (owner === role) assert.equal(res.status, 200, path);
        else {
          assert.equal(res.status, 403, path);
          assert.match(res.text, /You do not have access to this page/);
        }
      }
    });
  }

  it('signed-in people visiting / land on their role home', async () => {
    const compliance = await createPerson('compliance');
    const { agent } = await signedInAgent(app, compliance);
    const res = await agent.get('/').expect(303);
    assert.equal(res.headers.location, '/compliance');
  });
});

describe('error pages', () => {
  let app: Express;
  before(() => {
    app = buildTestApp();
  });

  it('an unknown page answers a 404 page without stack traces', async () => {
    const res = await request(app).get('/no/such/page').set('Accept', 'text/html').expect(404);
    assert.match(res.text, /Page not found/);
    assert.doesNotMatch(res.text, /at .*\.ts:\d+/);
  });

  it('JSON clients get a JSON 404', async () => {
    const res = await request(app).get('/api/nothing').expect(404);
    assert.equal(res.body.error, 'not_found');
    assert.ok(res.body.requestId);
  });

  it('an oversized form body is refused with 413', async () => {
    await request(app)
      .post('/signin')
      .type('form')
      .send({ email: 'x'.repeat(30_000) })
      .expect(413);
  });
});
