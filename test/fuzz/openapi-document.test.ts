import assert from 'node:assert/strict';
import type { Express } from 'express';
import { Ajv2020 } from 'ajv/dist/2020.js';
import request from 'supertest';
import { buildTestApp } from '../helpers/app.js';
import { signedInAgent, type Agent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';

/** Answers the fuzzer found outside /openapi.json, checked directly against the document. */
describe('/openapi.json matches what the server answers', function () {
  this.timeout(30_000);
  let app: Express;
  let agent: Agent;
  let csrf: string;
  let doc: {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
    >;
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });

  before(async () => {
    app = buildTestApp();
    ({ agent, csrf } = await signedInAgent(app, await createPerson('compliance')));
    doc = (await request(app).get('/openapi.json').expect(200)).body;
  });

  const contentOf = (path: string, method: string, status: number) =>
    doc.paths[path]![method]!.responses[String(status)]!.content!;

  it('a verification names its latest checkpoint with the trigger, as declared', async () => {
    await agent.post('/api/compliance/checkpoints').set('x-csrf-token', csrf).expect(201);
    const res = await agent.post('/api/compliance/verifications').set('x-csrf-token', csrf).expect(200);
    assert.ok(res.body.latestCheckpoint?.trigger);
    const validate = ajv.compile(
      contentOf('/api/compliance/verifications', 'post', 200)['application/json']!.schema,
    );
    assert.ok(validate(res.body), JSON.stringify(validate.errors));
  });

  it('the export declares both its formats', async () => {
    const declared = Object.keys(contentOf('/api/compliance/export', 'get', 200));
    for (const format of ['csv', 'jsonl']) {
      const res = await agent
        .get('/api/compliance/export')
        .query({ format, clientId: 'no-such-app' })
        .expect(200);
      const type = res.headers['content-type']!.split(';')[0]!;
      assert.ok(declared.includes(type), `${type} is declared (${declared.join(', ')})`);
    }
  });

  it('date filters outside the calendar are refused, naming the field', async () => {
    for (const from of ['2026-13-01', '2026-00-10', '2026-01-01T24:00Z', '2026-01-01T10:00+25:00']) {
      const res = await agent.get('/api/compliance/events').query({ from }).expect(400);
      assert.deepEqual(
        res.body.issues.map((i: { field: string }) => i.field),
        ['from'],
        from,
      );
    }
  });
});
