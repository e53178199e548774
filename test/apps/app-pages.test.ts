import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { AppModel } from '../../src/apps/app.model.js';
import { readConsent } from '../../src/consents/consent.repository.js';
import { createConsent } from '../../src/consents/consent.service.js';
import { authoriseConsent } from '../../src/consents/consent-customer.service.js';
import { registerApp } from '../../src/apps/app.service.js';
import { buildFullTestApp, createTestAuditLog } from '../helpers/app.js';
import { csrfFrom, signedInAgent, type Agent } from '../helpers/agent.js';
import { lastAuditEventWhere } from '../helpers/audit.js';
import { createPerson } from '../helpers/factories.js';

describe('admin pages: the app registry', function () {
  this.timeout(30_000);
  let built: ReturnType<typeof buildFullTestApp>;
  let agent: Agent;
  let jwks: string;

  before(async () => {
    built = buildFullTestApp();
    ({ agent } = await signedInAgent(built.app, await createPerson('admin')));
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    jwks = JSON.stringify({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'ES256' }],
    });
  });

  async function register(fields: Record<string, string>, status: number) {
    const page = await agent.get('/admin/apps/new').expect(200);
    return agent
      .post('/admin/apps')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        name: 'Spend Wise',
        purpose: 'Budgets and spending insights from your card transactions.',
        redirectUris: 'https://spendwise.example/cb',
        jwks,
        webhookUrl: '',
        tokenEndpointAuthMethod: 'private_key_jwt',
        ...fields,
      })
      .expect(status);
  }

  it('registers an app from the form, recorded in the audit log', async () => {
    const res = await register({ name: `Spend Wise ${Date.now()}` }, 303);
    const clientId = res.headers.location!.split('/').pop()!;
    const page = await agent.get(res.headers.location!).expect(200);
    assert.match(page.text, new RegExp(`Registered Spend Wise \\d+: client_id ${clientId}`));
    assert.equal((await AppModel.findById(clientId).lean())?.status, 'active');
    assert.equal((await lastAuditEventWhere({ action: 'app.registered', clientId }))?.outcome, 'success');
  });

  it('refuses a name another app has, in any case or spacing, and stores nothing', async () => {
    const name = `Pocket Ledger ${Date.now()}`;
    await register({ name }, 303);
    const before = await AppModel.countDocuments();
    for (const again of [name, `  ${name.toUpperCase().replace(' ', '   ')} `]) {
      const res = await register({ name: again }, 422);
      assert.match(res.text, /An app called &quot;.*&quot; is already registered: choose another name/);
    }
    assert.equal(await AppModel.countDocuments(), before);
  });

  it('two registrations of one name at once: exactly one gets it', async () => {
    const input = {
      name: `Racing Ledger ${Date.now()}`,
      purpose: 'Budgets and spending insights from your card transactions.',
      redirectUris: ['https://racing.example/cb'],
      jwks: JSON.parse(jwks),
      tokenEndpointAuthMethod: 'private_key_jwt' as const,
    };
    const results = await Promise.allSettled([
      registerApp(createTestAuditLog(), { id: 'a' }, input),
      registerApp(createTestAuditLog(), { id: 'b' }, input),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.equal(await AppModel.countDocuments({ name: input.name }), 1);
  });

  it('records the company behind the app and its register entry, for the consent screen', async () => {
    const res = await register(
      {
        name: `Spend Wise ${Date.now()}`,
        legalName: 'Spend Wise Ltd',
        registration: 'FCA firm reference 123456',
      },
      303,
    );
    const clientId = res.headers.location!.split('/').pop()!;
    const stored = await AppModel.findById(clientId).lean();
    assert.deepEqual(
      [stored?.legalName, stored?.registration],
      ['Spend Wise Ltd', 'FCA firm reference 123456'],
    );
    const page = await agent.get(res.headers.location!).expect(200);
    assert.match(page.text, /Spend Wise Ltd \(FCA firm reference 123456\)/);
    await register({ legalName: 'X' }, 422);
  });

  it('refuses a bad registration with 422 naming each field, and stores nothing', async () => {
    const before = await AppModel.countDocuments();
    const privateJwk = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' }] });
    const res = await register(
      {
        redirectUris: 'http://spendwise.example/cb',
        jwks: privateJwk,
        purpose: 'short',
      },
      422,
    );
    assert.match(res.text, /<a href="#redirectUris">redirectUris<\/a>: must use https/);
    assert.match(res.text, /<a href="#jwks">jwks<\/a>: must contain public keys only/);
    assert.match(res.text, /<a href="#purpose">purpose<\/a>/);
    assert.equal(await AppModel.countDocuments(), before);
  });

  it('suspends an app, and previews then revokes all its consents', async () => {
    const res = await register({ name: 'To Be Struck Off' }, 303);
    const clientId = res.headers.location!.split('/').pop()!;
    const deps = built.consentDeps;
    const live = await createConsent(deps, clientId, { Permissions: ['ReadAccountsBasic'] }, {});
    await authoriseConsent(deps, 'cus-x', live._id, { accountIds: ['a'] }, {});
    await createConsent(deps, clientId, { Permissions: ['ReadAccountsBasic'] }, {});

    const preview = await agent.get(`/admin/apps/${clientId}/revoke-consents`).expect(200);
    assert.match(preview.text, /class="preview-authorised">1</);
    assert.match(preview.text, /class="preview-pending">1</);
    assert.match(preview.text, /class="preview-customers">1</);
    assert.equal((await readConsent(live._id))?.status, 'AUTH', 'the preview changes nothing');

    const done = await agent
      .post(`/admin/apps/${clientId}/revoke-consents`)
      .type('form')
      .send({ _csrf: csrfFrom(preview.text), confirm: 'yes' })
      .expect(303);
    const after = await agent.get(done.headers.location!).expect(200);
    assert.match(after.text, /Ended 2 consents of To Be Struck Off \(1 customers\)/);
    assert.equal((await readConsent(live._id))?.status, 'CANC');
    assert.equal(
      (await lastAuditEventWhere({ action: 'app.consents_revoked', clientId }))?.details?.authorised,
      1,
    );

    assert.doesNotMatch(after.text, /href="\/compliance/, 'no button that leads an administrator to a 403');
    const confirm = await agent.get(`/admin/apps/${clientId}/suspend`).expect(200);
    assert.match(confirm.text, /Suspend To Be Struck Off\?/);
    assert.equal(
      (await AppModel.findById(clientId).lean())?.status,
      'active',
      'the confirmation changes nothing',
    );
    const noReason = await agent
      .post(`/admin/apps/${clientId}/status`)
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text), status: 'suspended', reason: '' })
      .expect(422);
    assert.match(noReason.text, /Say in a sentence why the app is suspended/);
    assert.equal((await AppModel.findById(clientId).lean())?.status, 'active', 'no reason, no suspension');

    const reason = 'Reported by customers for reading accounts they did not share.';
    await agent
      .post(`/admin/apps/${clientId}/status`)
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text), status: 'suspended', reason })
      .expect(303);
    assert.equal((await AppModel.findById(clientId).lean())?.status, 'suspended');
    assert.equal((await lastAuditEventWhere({ action: 'app.suspended', clientId }))?.details?.reason, reason);
    const page = await agent.get(`/admin/apps/${clientId}`).expect(200);
    assert.match(
      page.text,
      new RegExp(`Suspended</span> since \\d+ \\w+ \\d{4}, \\d{2}:\\d{2} UTC: ${reason}`),
    );
  });

  it('is closed to customers and compliance officers', async () => {
    for (const role of ['customer', 'compliance'] as const) {
      const { agent: other } = await signedInAgent(built.app, await createPerson(role));
      for (const path of ['/admin', '/admin/apps/new', '/admin/apps/app-0000000000000000'])
        await other.get(path).expect(403);
    }
  });
});
