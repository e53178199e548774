import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { canonicalJson } from '../../src/audit/audit-event.js';
import { AuditPageBody, VerificationBody } from '../../src/compliance/compliance.schemas.js';
import { verifySignature, type PublicJwk } from '../../src/audit/audit-keys.js';
import { checkpointStatement } from '../../src/audit/audit-checkpoint.repository.js';
import { buildTestApp, createTestAuditLog, testIndexer } from '../helpers/app.js';
import { signedInAgent, type Agent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';
import { asText } from '../helpers/http.js';

describe('compliance JSON API', function () {
  this.timeout(30_000);
  let app: Express;
  let agent: Agent;
  let csrf: string;
  const clientId = `app-${randomUUID().slice(0, 8)}`;

  before(async () => {
    app = buildTestApp();
    ({ agent, csrf } = await signedInAgent(app, await createPerson('compliance')));
    const audit = createTestAuditLog();
    for (let i = 0; i < 5; i++) {
      await audit.record({
        action: i === 4 ? 'data.denied' : 'data.accessed',
        actor: { type: 'app', id: clientId },
        clientId,
        outcome: i === 4 ? 'failure' : 'success',
        reason: i === 4 ? 'permission_missing' : undefined,
        accountIds: ['acc-1'],
        permissions: ['ReadTransactionsDetail'],
        recordCount: i,
      });
    }
    await testIndexer.catchUp();
  });

  it('GET /api/compliance/events answers a filtered page in the declared shape', async () => {
    const res = await agent.get('/api/compliance/events').query({ clientId, limit: 3 }).expect(200);
    const page = AuditPageBody.parse(res.body);
    assert.equal(page.events.length, 3);
    assert.ok(page.nextCursor);
    assert.equal(res.headers['cache-control'], 'no-store');
    const rest = await agent
      .get('/api/compliance/events')
      .query({ clientId, before: page.nextCursor })
      .expect(200);
    assert.equal(rest.body.events.length, 2);
    assert.equal(rest.body.nextCursor, undefined);
  });

  it('answers 400 naming each bad or unknown parameter', async () => {
    const res = await agent
      .get('/api/compliance/events')
      .query({ limit: 1000, outcome: 'maybe', sort: 'x' })
      .expect(400);
    const fields = res.body.issues.map((i: { field: string }) => i.field).sort();
    assert.deepEqual(fields, ['limit', 'outcome', 'sort']);
    const injected = await agent.get('/api/compliance/events?clientId[$ne]=x').expect(400);
    assert.equal(injected.body.error, 'invalid_request');
  });

  it('refuses anonymous callers with 401 and customers with 403', async () => {
    await request(app).get('/api/compliance/events').expect(401);
    const { agent: customer } = await signedInAgent(app, await createPerson('customer'));
    for (const path of [
      '/api/compliance/events',
      '/api/compliance/activity',
      '/api/compliance/checkpoints',
      '/api/compliance/export',
    ]) {
      const res = await customer.get(path).expect(403);
      assert.equal(res.body.error, 'forbidden');
    }
    await customer.post('/api/compliance/verifications').set('x-csrf-token', 'x').expect(403);
  });

  it('verifies on request (with the CSRF header) and signs checkpoints that check against the published key', async () => {
    await agent.post('/api/compliance/verifications').expect(403);
    const verified = await agent.post('/api/compliance/verifications').set('x-csrf-token', csrf).expect(200);
    assert.equal(VerificationBody.parse(verified.body).ok, true);

    const signed = await agent.post('/api/compliance/checkpoints').set('x-csrf-token', csrf).expect(201);
    const keys = (await request(app).get('/.well-known/audit-keys.json').expect(200)).body
      .keys as PublicJwk[];
    const key = keys.find((k) => k.kid === signed.body.keyId)!;
    const statement = checkpointStatement({ ...signed.body, at: new Date(signed.body.at) });
    assert.ok(verifySignature(key, statement, signed.body.signature));
    assert.ok(!verifySignature(key, statement.replace(/"seq":\d+/, '"seq":1'), signed.body.signature));
  });

  it('exports JSON Lines whose hashes anyone can recompute', async () => {
    const res = await asText(agent.get('/api/compliance/export').query({ clientId, format: 'jsonl' })).expect(
      200,
    );
    const events = (res.body as string)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(events.length, 5);
    for (const event of events) {
      const { hash, ...content } = event;
      assert.equal(createHash('sha256').update(canonicalJson(content)).digest('hex'), hash);
    }
  });

  it('builds an evidence pack: verdict, checkpoint, key, events, and a signed digest of it all', async () => {
    await agent.post('/api/compliance/checkpoints').set('x-csrf-token', csrf).expect(201);
    const res = await asText(agent.get('/api/compliance/evidence-pack').query({ clientId })).expect(200);
    const lines = (res.body as string).trim().split('\n');
    const header = JSON.parse(lines[0]!);
    const trailer = JSON.parse(lines.at(-1)!);
    assert.equal(header.type, 'evidence-pack');
    assert.equal(header.verification.ok, true);
    assert.ok(header.checkpoint.seq <= header.verification.lastSeq);
    assert.equal(lines.length, 1 + 5 + 1);
    const digest = createHash('sha256')
      .update(
        lines
          .slice(0, -1)
          .map((l) => `${l}\n`)
          .join(''),
      )
      .digest('hex');
    assert.equal(trailer.sha256, digest);
    assert.ok(verifySignature(header.publicKey, digest, trailer.signature));
  });

  it('/openapi.json describes every compliance endpoint', async () => {
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    assert.equal(doc.openapi, '3.1.0');
    for (const path of [
      '/api/compliance/events',
      '/api/compliance/events/{seq}',
      '/api/compliance/export',
      '/api/compliance/verifications',
    ]) {
      assert.ok(doc.paths[path], path);
    }
    assert.deepEqual(doc.paths['/api/compliance/events'].get.security, [{ session: [] }]);
    const consents = doc.paths['/open-banking/v4.0/aisp/account-access-consents'];
    assert.ok(consents.post.requestBody.content['application/json'].schema.properties.Data);
    assert.deepEqual(consents.post.security, [{ oauth: ['accounts'] }]);
    for (const path of [
      '/accounts',
      '/accounts/{AccountId}',
      '/accounts/{AccountId}/balances',
      '/accounts/{AccountId}/transactions',
      '/balances',
      '/transactions',
    ]) {
      assert.ok(doc.paths[`/open-banking/v4.0/aisp${path}`]?.get, path);
    }
  });
});
