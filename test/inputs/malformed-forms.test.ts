import assert from 'node:assert/strict';
import type { Agent } from '../helpers/agent.js';
import { anonymousAgent } from '../helpers/agent.js';
import { assertUnchanged, snapshotDatabase } from '../helpers/db-snapshot.js';
import { csrfOf, type TestBrowser } from '../helpers/oauth-client.js';
import { assertNamesField, type Refusal } from '../security/answers.js';
import {
  openConsentScreen,
  securityWorld,
  verificationRunsSettled,
  type SecurityWorld,
} from '../security/world.js';

type Form = Record<string, string | string[]>;

/** One malformed submission: what is sent, and the field the answer must name. */
interface Case {
  form: string;
  label: string;
  send: () => Promise<Refusal>;
  field: string;
  statuses: number[];
}

const long = (n: number) => 'x'.repeat(n);

function encode(form: Form): string {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) for (const item of [value].flat()) body.append(key, item);
  return body.toString();
}

const postAs =
  (agent: Agent, path: string) =>
  async (form: Form): Promise<Refusal> => {
    const res = await agent.post(path).type('form').send(encode(form));
    return { status: res.status, text: res.text };
  };

const getAs = (agent: Agent, path: string) => async (): Promise<Refusal> => {
  const res = await agent.get(path);
  return { status: res.status, text: res.text, body: /json/.test(res.type) ? res.body : undefined };
};

const postInBrowser = (browser: TestBrowser, url: string) => async (form: Form) => {
  const res = await browser.fetch(url, {
    method: 'POST',
    body: encode(form),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { status: res.status, text: await res.text() };
};

describe('malformed form input: a clear 400/422 naming the field, and the database unchanged', function () {
  this.timeout(60_000);
  let w: SecurityWorld;
  let cases: Case[];

  before(async () => {
    w = await securityWorld();
    const { linked } = w;
    const screen = await openConsentScreen(w.server.issuer, linked.app, linked.c, linked.person);
    const signin = await anonymousAgent(w.server.app);
    const consentId = linked.consentId;
    const accountId = linked.accounts[0]!.accountId;
    const clientId = linked.app.clientId;
    const c = w.customer;
    const admin = w.admin;
    const officer = w.compliance;

    const signinForm = { _csrf: signin.csrf, email: linked.person.email, password: 'not-the-password' };
    const screenForm = { _csrf: csrfOf(screen.html), decision: 'approve', accountIds: accountId };
    const registration = {
      _csrf: admin.csrf,
      name: 'Malformed Input App',
      purpose: 'Shows your spending by category across your banks.',
      redirectUris: 'https://malformed.example/cb',
      jwks: JSON.stringify({
        keys: [
          {
            kty: 'EC',
            crv: 'P-256',
            x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
            y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          },
        ],
      }),
      webhookUrl: '',
      tokenEndpointAuthMethod: 'private_key_jwt',
    };

    const battery = (
      form: string,
      send: (form: Form) => Promise<Refusal>,
      valid: Form,
      statuses: number[],
      variants: [label: string, change: Form | ((valid: Form) => Form), field: string][],
    ): Case[] =>
      variants.map(([label, change, field]) => ({
        form,
        label,
        field,
        statuses,
        send: () => send(typeof change === 'function' ? change(valid) : { ...valid, ...change }),
      }));
    const without = (field: string) => (valid: Form) =>
      Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));

    cases = [
      ...battery(
        'POST /signin',
        postAs(signin.agent, '/signin'),
        signinForm,
        [422],
        [
          ['missing email', without('email'), 'email'],
          ['missing password', without('password'), 'password'],
          ['email twice (an array)', { email: [linked.person.email, linked.person.email] }, 'email'],
          ['email not an address', { email: 'alice at example' }, 'email'],
          ['email over-long', { email: `${long(250)}@example.com` }, 'email'],
          ['password over-long', { password: long(1025) }, 'password'],
          ['next over-long', { next: `/${long(2000)}` }, 'next'],
          ['unknown key', { role: 'admin' }, 'role'],
        ],
      ),
      ...battery(
        'POST /signout',
        postAs(c.agent, '/signout'),
        { _csrf: c.csrf },
        [400],
        [['unknown key', { everywhere: 'yes' }, 'everywhere']],
      ),
      ...battery(
        'POST /oauth/interaction/:uid',
        postInBrowser(screen.browser, screen.url),
        screenForm,
        [422],
        [
          ['missing decision', without('decision'), 'decision'],
          ['bad decision', { decision: 'maybe' }, 'decision'],
          ['decision twice', { decision: ['approve', 'deny'] }, 'decision'],
          ['no account chosen', without('accountIds'), 'accountIds'],
          ['an account not the customer’s', { accountIds: 'acc-someone-else' }, 'accountIds'],
          ['an over-long account id', { accountIds: long(5000) }, 'accountIds'],
          ['unknown key', { scope: 'everything' }, 'scope'],
        ],
      ),
      ...battery(
        'POST /my/apps/:consentId/revoke',
        postAs(c.agent, `/my/apps/${consentId}/revoke`),
        { _csrf: c.csrf },
        [400],
        [['unknown key', { confirm: 'yes' }, 'confirm']],
      ),
      ...battery(
        'POST /my/apps/:consentId/revoke',
        postAs(c.agent, `/my/apps/not-a-consent/revoke`),
        { _csrf: c.csrf },
        [400],
        [['bad consent id in the path', {}, 'consentId']],
      ),
      ...battery(
        'POST /my/apps/:consentId/accounts/:accountId/remove',
        postAs(c.agent, `/my/apps/${consentId}/accounts/${accountId}/remove`),
        { _csrf: c.csrf },
        [400],
        [['unknown key', { accountId: 'other' }, 'accountId']],
      ),
      ...battery(
        'POST /my/apps/:consentId/accounts/:accountId/remove',
        postAs(c.agent, `/my/apps/${consentId}/accounts/${long(41)}/remove`),
        { _csrf: c.csrf },
        [400],
        [['over-long account id in the path', {}, 'accountId']],
      ),
      ...battery(
        'POST /admin/apps',
        postAs(admin.agent, '/admin/apps'),
        registration,
        [422],
        [
          ['missing name', without('name'), 'name'],
          ['name too short', { name: 'x' }, 'name'],
          ['name over-long', { name: long(101) }, 'name'],
          ['name twice (an array)', { name: ['One', 'Two'] }, 'name'],
          ['purpose too short', { purpose: 'short' }, 'purpose'],
          ['purpose over-long', { purpose: long(501) }, 'purpose'],
          ['no redirect URI', { redirectUris: '' }, 'redirectUris'],
          ['redirect URI not a URL', { redirectUris: 'not a url' }, 'redirectUris'],
          ['redirect URI over http', { redirectUris: 'http://malformed.example/cb' }, 'redirectUris'],
          [
            'redirect URI with a fragment',
            { redirectUris: 'https://malformed.example/cb#x' },
            'redirectUris',
          ],
          [
            '11 redirect URIs',
            { redirectUris: Array.from({ length: 11 }, (_, i) => `https://m.example/${i}`).join('\n') },
            'redirectUris',
          ],
          ['redirect URIs over-long', { redirectUris: `https://m.example/${long(5000)}` }, 'redirectUris'],
          ['JWKS not JSON', { jwks: '{keys:' }, 'jwks'],
          ['JWKS an array', { jwks: '[]' }, 'jwks'],
          ['JWKS keys a string', { jwks: '{"keys":"EC"}' }, 'jwks'],
          ['JWKS with no key', { jwks: '{"keys":[]}' }, 'jwks'],
          ['JWKS with a bad key type', { jwks: '{"keys":[{"kty":"DSA"}]}' }, 'jwks'],
          [
            'JWKS with a private key',
            { jwks: '{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}]}' },
            'jwks',
          ],
          ['JWKS with an unknown top-level member', { jwks: '{"keys":[{"kty":"EC"}],"extra":1}' }, 'jwks'],
          ['JWKS over-long', { jwks: `{"keys":[{"kty":"EC","x":"${long(20_000)}"}]}` }, 'jwks'],
          ['webhook not a URL', { webhookUrl: 'hooks' }, 'webhookUrl'],
          ['webhook over http', { webhookUrl: 'http://malformed.example/hooks' }, 'webhookUrl'],
          ['webhook over-long', { webhookUrl: `https://m.example/${long(600)}` }, 'webhookUrl'],
          ['bad client authentication', { tokenEndpointAuthMethod: 'none' }, 'tokenEndpointAuthMethod'],
          [
            'client_secret_basic not allowed',
            { tokenEndpointAuthMethod: 'client_secret_basic' },
            'tokenEndpointAuthMethod',
          ],
          ['unknown key', { status: 'active' }, 'status'],
        ],
      ),
      ...battery(
        'POST /admin/apps/:clientId/status',
        postAs(admin.agent, `/admin/apps/${clientId}/status`),
        { _csrf: admin.csrf, status: 'suspended', reason: 'Reported for reading accounts it was not given.' },
        [400],
        [
          ['missing status', without('status'), 'status'],
          ['bad status', { status: 'deleted' }, 'status'],
          ['status twice', { status: ['active', 'suspended'] }, 'status'],
          ['reason twice', { reason: ['one reason given', 'another reason given'] }, 'reason'],
          ['unknown key', { note: 'x' }, 'note'],
        ],
      ),
      ...battery(
        'POST /admin/apps/:clientId/status',
        postAs(admin.agent, `/admin/apps/app-nothex/status`),
        { _csrf: admin.csrf, status: 'suspended' },
        [400],
        [['bad client id in the path', {}, 'clientId']],
      ),
      ...battery(
        'POST /admin/apps/:clientId/revoke-consents',
        postAs(admin.agent, `/admin/apps/${clientId}/revoke-consents`),
        { _csrf: admin.csrf, confirm: 'yes' },
        [400],
        [
          ['missing confirmation', without('confirm'), 'confirm'],
          ['confirmation not yes', { confirm: 'no' }, 'confirm'],
          ['unknown key', { all: 'true' }, 'all'],
        ],
      ),
      ...battery(
        'POST /compliance/integrity/verify',
        postAs(officer.agent, '/compliance/integrity/verify'),
        { _csrf: officer.csrf },
        [400],
        [['unknown key', { from: '1' }, 'from']],
      ),
      ...battery(
        'POST /compliance/exports',
        postAs(officer.agent, '/compliance/exports'),
        { _csrf: officer.csrf, format: 'csv', consentId },
        [400],
        [
          ['missing format', without('format'), 'format'],
          ['unknown format', { format: 'xml' }, 'format'],
          ['not a time', { to: 'tomorrow' }, 'to'],
          ['from after to', { from: '2026-11-26T00:00Z', to: '2026-11-25T00:00Z' }, 'from'],
          ['negative count', { expected: '-1' }, 'expected'],
          ['unknown key', { limit: '5' }, 'limit'],
        ],
      ),
      ...battery(
        'POST /compliance/integrity/checkpoints',
        postAs(officer.agent, '/compliance/integrity/checkpoints'),
        { _csrf: officer.csrf },
        [400],
        [['unknown key', { seq: '1' }, 'seq']],
      ),
    ];

    // Query-string forms: the compliance search and the dashboard.
    const searches: [string, string][] = [
      ['limit=abc', 'limit'],
      ['limit=1000', 'limit'],
      ['limit=0', 'limit'],
      ['limit=1.5', 'limit'],
      ['before=-1', 'before'],
      ['from=yesterday', 'from'],
      ['from=2026-13-45', 'from'],
      ['from=2026-02-30T10:00Z', 'from'],
      ['from=2026-05-01&to=2026-04-01', 'from'],
      ['action=data.deleted', 'action'],
      ['outcome=maybe', 'outcome'],
      ['outcome=success&outcome=failure', 'outcome'],
      [`customerId=${long(201)}`, 'customerId'],
      ['clientId=a%20b', 'clientId'],
      ['sort=seq', 'sort'],
    ];
    for (const [query, field] of searches) {
      cases.push({
        form: 'GET /compliance',
        label: query.slice(0, 40),
        field,
        statuses: [422],
        send: getAs(officer.agent, `/compliance?${query}`),
      });
    }
    for (const [path, field] of [
      ['/compliance/events/abc', 'seq'],
      ['/compliance/events/0', 'seq'],
      [`/compliance/consents/${consentId}?limit=0`, 'limit'],
      [`/compliance/consents/${consentId}?after=-1`, 'after'],
      [`/compliance/consents/${long(201)}`, 'consentId'],
      ['/compliance/activity?days=0', 'days'],
      ['/compliance/activity?days=367', 'days'],
      ['/compliance/activity?days=ten', 'days'],
      ['/compliance/export/review?format=csv', 'format'],
      ['/compliance/export/review?to=tomorrow', 'to'],
      ['/compliance/exports/not-an-export', 'id'],
      ['/compliance/integrity/runs/not-a-run', 'id'],
      ['/my/apps?tab=deleted', 'tab'],
      ['/my/apps?tab=active&tab=expired', 'tab'],
      [`/my/apps/${consentId}?before=abc`, 'before'],
      [`/my/apps/${consentId}?page=2`, 'page'],
      ['/my/apps/aac-not-a-uuid', 'consentId'],
      ['/my/apps/aac-not-a-uuid/receipt.json', 'consentId'],
      ['/admin/apps/app-123', 'clientId'],
    ] as const) {
      const agent = path.startsWith('/my/')
        ? c.agent
        : path.startsWith('/admin')
          ? admin.agent
          : officer.agent;
      cases.push({
        form: `GET ${path.split('?')[0]}`,
        label: path,
        field,
        statuses: [400],
        send: getAs(agent, path),
      });
    }
    // Sign-out last: were it to accept its input, it would end the session the other cases use.
    cases.sort((a, b) => Number(a.form === 'POST /signout') - Number(b.form === 'POST /signout'));
    await verificationRunsSettled();
  });
  after(async () => w?.close());

  it('every case is refused naming its field, and nothing in the database changed', async () => {
    const before = await snapshotDatabase();
    const failures: string[] = [];
    for (const c of cases) {
      try {
        assertNamesField(await c.send(), c.field, c.statuses, `${c.form}: ${c.label}`);
      } catch (error) {
        failures.push((error as Error).message.split('\n')[0]!.slice(0, 300));
      }
    }
    assert.deepEqual(failures, []);
    assertUnchanged(before, await snapshotDatabase(), 'malformed form input');
    const forms = new Set(cases.map((c) => c.form));
    assert.ok(
      cases.length >= 85 && forms.size >= 20,
      `${cases.length} cases over ${forms.size} forms and pages`,
    );
  });
});
