import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { canonicalJson, sealEvent, type AuditInput } from '../../src/audit/audit-event.js';
import { projectRoot } from '../../src/paths.js';
import { buildTestApp, createTestAuditLog, testIndexer } from '../helpers/app.js';
import { signedInAgent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';
import { asText } from '../helpers/http.js';
import { runProcess } from '../helpers/server-process.js';

const verifier = join(projectRoot, 'examples', 'verify-evidence-pack', 'verify.mjs');

describe('an evidence pack checks out with public tools alone (examples/verify-evidence-pack)', function () {
  this.timeout(60_000);
  let dir: string;
  let pack: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evidence-pack-'));
    const app = buildTestApp();
    const { agent, csrf } = await signedInAgent(app, await createPerson('compliance'));
    const clientId = `app-${randomUUID().slice(0, 8)}`;
    const audit = createTestAuditLog();
    for (let i = 0; i < 4; i++)
      await audit.record({
        action: 'data.accessed',
        actor: { type: 'app', id: clientId },
        clientId,
        outcome: 'success',
        recordCount: i,
        details: { note: 'Zoë “quoted” ✓ 😀', ratio: 0.1 },
      });
    await testIndexer.catchUp();
    await agent.post('/api/compliance/checkpoints').set('x-csrf-token', csrf).expect(201);
    const res = await asText(agent.get('/api/compliance/evidence-pack').query({ clientId })).expect(200);
    pack = (res.body as string).trim().split('\n');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const check = async (lines: string[]) => {
    const file = join(dir, `${randomUUID()}.jsonl`);
    await writeFile(file, `${lines.join('\n')}\n`);
    return runProcess([verifier, file], {});
  };

  it('an intact pack passes', async () => {
    const result = await check(pack);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /Evidence pack intact: 4 events/);
  });

  it('a changed event, a removed line and a forged signature are each caught', async () => {
    const event = JSON.parse(pack[2]!);
    const changed = [...pack];
    changed[2] = JSON.stringify({ ...event, recordCount: 999 });
    const forged = [...pack];
    const end = JSON.parse(pack.at(-1)!);
    forged[forged.length - 1] = JSON.stringify({ ...end, signature: Buffer.alloc(64).toString('base64url') });
    for (const [name, lines, problem] of [
      ['changed event', changed, /the lines before the last were changed/],
      ['removed line', [...pack.slice(0, 2), ...pack.slice(3)], /the lines before the last were changed/],
      ['forged signature', forged, /not signed by the key/],
    ] as const) {
      const result = await check([...lines]);
      assert.equal(result.code, 1, `${name}: ${result.output}`);
      assert.match(result.output, problem, name);
    }
  });

  it('an event changed with the file digest recomputed is caught: only the bank’s key can sign it', async () => {
    const event = JSON.parse(pack[2]!);
    const lines = [...pack];
    lines[2] = JSON.stringify({ ...event, recordCount: 999 });
    const body = lines
      .slice(0, -1)
      .map((l) => `${l}\n`)
      .join('');
    const end = JSON.parse(pack.at(-1)!);
    lines[lines.length - 1] = JSON.stringify({
      ...end,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    const result = await check(lines);
    assert.equal(result.code, 1);
    assert.match(result.output, /not signed by the key/);
  });

  it('the hash’s canonical form is RFC 8785 (the canonicalize package), so events already written still verify', () => {
    const input = {
      action: 'data.accessed',
      actor: { type: 'app', id: 'app-0123456789abcdef' },
      outcome: 'success',
      clientId: 'app-0123456789abcdef',
      consentId: 'aac-1',
      resource: 'GET /accounts/acc-1/transactions',
      accountIds: ['acc-1', 'acc-2'],
      recordCount: 100,
      details: { note: 'Zoë “quoted” \u2028 ✓ 😀', ratio: 0.1, big: 1e21, neg: -0 },
      context: { requestId: 'r1', ip: '198.51.100.7', userAgent: 'ua/1.0' },
    } as AuditInput;
    const event = sealEvent(
      input,
      42,
      new Date('2026-12-01T12:34:56.789Z'),
      'a'.repeat(64),
      Buffer.alloc(32, 1),
    );
    // The hash such an event had before the canonical form was taken from the package.
    assert.equal(event.hash, 'cca8d646dda6d1a6684a9ae386972b3a493e702be8c5b1ab1be910b6ca2dd6e3');
    const { _id, hash, mac, ...content } = event;
    void _id;
    void hash;
    void mac;
    assert.equal(canonicalJson(content), canonicalize(JSON.parse(JSON.stringify(content))));
  });

  it('a value RFC 8785 cannot represent (a lone surrogate, NaN) is made safe rather than failing the record', () => {
    const input = {
      action: 'data.denied',
      actor: { type: 'app', id: 'app-x' },
      outcome: 'failure',
      details: { note: 'a\uD800b', ratio: Number.NaN },
      context: { userAgent: 'agent\uDFFF' },
    } as AuditInput;
    const event = sealEvent(input, 7, new Date('2026-12-01T00:00:00Z'), 'b'.repeat(64), Buffer.alloc(32, 2));
    assert.deepEqual(event.details, { note: 'a\uFFFDb', ratio: null });
    assert.equal(event.userAgent, 'agent\uFFFD');
    const { _id, hash, mac, ...content } = event;
    void _id;
    void mac;
    assert.equal(
      createHash('sha256')
        .update(canonicalize(JSON.parse(JSON.stringify(content)))!)
        .digest('hex'),
      hash,
    );
  });
});
