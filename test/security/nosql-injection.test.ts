import assert from 'node:assert/strict';
import { anonymousAgent } from '../helpers/agent.js';
import { obBasePath } from '../../src/open-banking/ob-api.js';
import { assertUnchanged, snapshotDatabase, type DatabaseSnapshot } from '../helpers/db-snapshot.js';
import { assertNamesField } from './answers.js';
import { clientToken, obCall, securityWorld, verificationRunsSettled, type SecurityWorld } from './world.js';

const operators = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000) || true' },
  { $regex: '.*' },
  { $in: ['a'] },
];

describe('NoSQL operator injection is refused at validation, naming the field', function () {
  this.timeout(60_000);
  let w: SecurityWorld;
  let initial: DatabaseSnapshot;
  let ccToken: string;
  let cases = 0;

  before(async () => {
    w = await securityWorld();
    ccToken = await clientToken(w.linked.c);
    await verificationRunsSettled();
    initial = await snapshotDatabase();
  });
  after(async () => {
    await w?.close();
  });

  it('sign-in: operator keys in the form, dotted and $ keys, and JSON bodies with operators', async () => {
    const { agent, csrf } = await anonymousAgent(w.server.app);
    const email = w.linked.person.email;
    const forms: [string, string][] = [
      [`email[$ne]=x&password[$ne]=x`, 'email[$ne]'],
      [`email=${encodeURIComponent(email)}&password[$gt]=`, 'password[$gt]'],
      [`email[$regex]=.*&password=x`, 'email[$regex]'],
      [`email.$ne=x&password=x`, 'email.$ne'],
      [`$where=1&email=${encodeURIComponent(email)}&password=x`, '$where'],
      [`email=${encodeURIComponent('{"$ne":null}')}&password=x`, 'email'],
      [`email=${encodeURIComponent(email)}&email=${encodeURIComponent(email)}&password=x`, 'email'],
    ];
    for (const [form, field] of forms) {
      const res = await agent
        .post('/signin')
        .type('form')
        .send(`_csrf=${encodeURIComponent(csrf)}&${form}`);
      assertNamesField({ status: res.status, text: res.text }, field, [422], `sign-in ${form}`);
      cases += 1;
    }
    for (const operator of operators) {
      const res = await agent
        .post('/signin')
        .set('x-csrf-token', csrf)
        .set('content-type', 'application/json')
        .send(JSON.stringify({ email: operator, password: operator }));
      // Pages read forms only: a JSON body is no form at all.
      assertNamesField({ status: res.status, text: res.text }, '(body)', [422], 'sign-in JSON');
      cases += 1;
    }
    assert.equal((await agent.get('/my/accounts')).status, 303, 'nobody signed in');
  });

  it('the OB consent endpoints: operators in the body, $ and dotted keys, operators in the path', async () => {
    const url = `${w.server.issuer}${obBasePath}/account-access-consents`;
    const bodies: [unknown, string][] = [
      ...operators.map((op): [unknown, string] => [
        { Data: { Permissions: op }, Risk: {} },
        'Data.Permissions',
      ]),
      ...operators.map((op): [unknown, string] => [
        { Data: { Permissions: [op] }, Risk: {} },
        'Data.Permissions.0',
      ]),
      ...operators.map((op): [unknown, string] => [
        { Data: { Permissions: ['ReadAccountsBasic'], ExpirationDateTime: op }, Risk: {} },
        'Data.ExpirationDateTime',
      ]),
      [{ Data: { Permissions: ['ReadAccountsBasic'], $where: 'sleep(1000)' }, Risk: {} }, 'Data.$where'],
      [{ Data: { Permissions: ['ReadAccountsBasic'] }, Risk: { 'a.b': 1 } }, 'Risk.a.b'],
      [{ Data: { Permissions: ['ReadAccountsBasic'] }, Risk: { $set: { status: 'AUTH' } } }, 'Risk.$set'],
      [{ Data: { Permissions: ['ReadAccountsBasic'] }, Risk: {}, $or: [{}] }, '$or'],
      [
        JSON.parse('{"Data":{"Permissions":["ReadAccountsBasic"]},"Risk":{},"__proto__":{"x":1}}'),
        '__proto__',
      ],
      [{ Data: op(), Risk: {} }, 'Data.$ne'],
    ];
    function op() {
      return { $ne: null };
    }
    for (const [body, field] of bodies) {
      const res = await obCall(w.linked.c, ccToken, 'POST', url, {
        body: JSON.stringify(body),
        contentType: 'application/json',
      });
      assertNamesField(res, field, [400], `POST consent ${JSON.stringify(body)}`);
      cases += 1;
    }
    for (const id of ['{"$ne":null}', '$where', '[$ne]', 'a b']) {
      for (const method of ['GET', 'DELETE']) {
        const res = await obCall(w.linked.c, ccToken, method, `${url}/${encodeURIComponent(id)}`);
        assertNamesField(res, 'ConsentId', [400], `${method} consent ${id}`);
        cases += 1;
      }
    }
    const res = await obCall(w.linked.c, ccToken, 'GET', `${url}/${w.linked.consentId}?ConsentId[$ne]=x`);
    assertNamesField(res, 'ConsentId[$ne]', [400], 'GET consent with an operator in the query');
    cases += 1;
  });

  it('the OB data endpoints: operators in query strings and path parameters', async () => {
    const base = `${w.server.issuer}${obBasePath}`;
    const accountId = w.linked.accounts[0]!.accountId;
    const attended = { headers: { 'x-fapi-customer-ip-address': '198.51.100.7' } };
    const calls: [string, string][] = [
      ['/accounts?AccountId[$ne]=x', 'AccountId[$ne]'],
      ['/balances?$where=1', '$where'],
      [`/accounts/${encodeURIComponent('{"$ne":null}')}`, 'AccountId'],
      [`/accounts/${encodeURIComponent('$ne')}/balances`, 'AccountId'],
      [`/accounts/${accountId}/transactions?fromBookingDateTime[$gt]=`, 'fromBookingDateTime[$gt]'],
      [
        `/accounts/${accountId}/transactions?fromBookingDateTime=${encodeURIComponent('{"$gt":""}')}`,
        'fromBookingDateTime',
      ],
      [`/transactions?toBookingDateTime=2026-01-01&toBookingDateTime=2026-02-01`, 'toBookingDateTime'],
      ['/transactions?page[$ne]=', 'page[$ne]'],
    ];
    for (const [path, field] of calls) {
      const res = await obCall(w.linked.c, w.linked.tokens.access_token, 'GET', `${base}${path}`, attended);
      assertNamesField(res, field, [400], `GET ${path}`);
      cases += 1;
    }
  });

  it('the compliance API and pages: filters with operators, $ and dotted keys', async () => {
    const agent = w.compliance.agent;
    const queries: [string, string][] = [
      ['customerId[$ne]=x', 'customerId[$ne]'],
      [`customerId=${encodeURIComponent('{"$ne":null}')}`, 'customerId'],
      ['customerId=$where', 'customerId'],
      ['clientId[$regex]=.*', 'clientId[$regex]'],
      ['action[$in]=data.accessed', 'action[$in]'],
      [`action=${encodeURIComponent('{"$ne":"x"}')}`, 'action'],
      ['outcome=success&outcome=failure', 'outcome'],
      ['from[$gt]=2020-01-01', 'from[$gt]'],
      ['consentId.$ne=1', 'consentId.$ne'],
      ['$where=sleep(1000)', '$where'],
    ];
    for (const [query, field] of queries) {
      for (const path of [
        '/api/compliance/events',
        '/api/compliance/export',
        '/api/compliance/evidence-pack',
      ]) {
        const res = await agent.get(`${path}?${query}`);
        assertNamesField(
          { status: res.status, text: res.text, body: res.body },
          field,
          [400],
          `${path}?${query}`,
        );
        cases += 1;
      }
      const page = await agent.get(`/compliance?${query}`);
      assertNamesField({ status: page.status, text: page.text }, field, [422], `/compliance?${query}`);
      cases += 1;
    }
    for (const [path, field] of [
      [`/api/compliance/consents/${encodeURIComponent('{"$ne":null}')}/events`, 'consentId'],
      [`/api/compliance/consents/${w.linked.consentId}/events?after[$gt]=0`, 'after[$gt]'],
      [`/api/compliance/events/${encodeURIComponent('{"$gt":0}')}`, 'seq'],
      ['/api/compliance/activity?days[$gt]=1', 'days[$gt]'],
    ] as const) {
      const res = await agent.get(path);
      assertNamesField({ status: res.status, text: res.text, body: res.body }, field, [400], path);
      cases += 1;
    }
  });

  it('the admin forms: operator keys, and $ or dotted members in a JWKS', async () => {
    const { agent, csrf } = w.admin;
    const valid = {
      _csrf: csrf,
      name: 'Injected App',
      purpose: 'Tries operators in every field it can.',
      redirectUris: 'https://injected.example/cb',
      jwks: '',
      webhookUrl: '',
      tokenEndpointAuthMethod: 'private_key_jwt',
    };
    const key = {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    };
    const forms: [Record<string, string>, string][] = [
      [{ ...valid, 'name[$ne]': 'x' }, 'name[$ne]'],
      [{ ...valid, $where: '1' }, '$where'],
      [{ ...valid, 'tokenEndpointAuthMethod.$ne': 'x' }, 'tokenEndpointAuthMethod.$ne'],
      [{ ...valid, jwks: JSON.stringify({ keys: [{ ...key, $where: 'x' }] }) }, 'jwks'],
      [{ ...valid, jwks: JSON.stringify({ keys: [{ ...key, 'a.b': 'x' }] }) }, 'jwks'],
      [{ ...valid, jwks: JSON.stringify({ keys: [{ ...key, kid: { $ne: null } }] }) }, 'jwks'],
      [{ ...valid, jwks: JSON.stringify({ keys: { $ne: null } }) }, 'jwks'],
      [{ ...valid, jwks: JSON.stringify({ keys: [{ ...key, nested: { $gt: '' } }] }) }, 'jwks'],
    ];
    for (const [form, field] of forms) {
      const res = await agent.post('/admin/apps').type('form').send(form);
      assertNamesField(
        { status: res.status, text: res.text },
        field,
        [422],
        `register ${JSON.stringify(form)}`,
      );
      cases += 1;
    }
    const clientId = w.linked.app.clientId;
    for (const [path, form, field] of [
      [`/admin/apps/${clientId}/status`, { _csrf: csrf, 'status[$ne]': 'active' }, 'status[$ne]'],
      [`/admin/apps/${clientId}/status`, { _csrf: csrf, status: '{"$ne":"active"}' }, 'status'],
      [`/admin/apps/${clientId}/revoke-consents`, { _csrf: csrf, 'confirm[$ne]': 'no' }, 'confirm[$ne]'],
      [
        `/admin/apps/${encodeURIComponent('{"$ne":null}')}/status`,
        { _csrf: csrf, status: 'suspended' },
        'clientId',
      ],
    ] as const) {
      const res = await agent.post(path).type('form').send(form);
      assertNamesField(
        { status: res.status, text: res.text },
        field,
        [400],
        `${path} ${JSON.stringify(form)}`,
      );
      cases += 1;
    }
  });

  it('the customer’s pages: operators in queries, paths and forms', async () => {
    const { agent, csrf } = w.customer;
    const consentId = w.linked.consentId;
    const gets: [string, string][] = [
      ['/my/apps?tab[$ne]=x', 'tab[$ne]'],
      [`/my/apps/${encodeURIComponent('{"$ne":null}')}`, 'consentId'],
      [`/my/apps/${consentId}?before[$gt]=0`, 'before[$gt]'],
    ];
    for (const [path, field] of gets) {
      const res = await agent.get(path);
      assertNamesField({ status: res.status, text: res.text }, field, [400], path);
      cases += 1;
    }
    for (const [path, form, field] of [
      [`/my/apps/${consentId}/revoke`, { _csrf: csrf, 'consentId[$ne]': 'x' }, 'consentId[$ne]'],
      [`/my/apps/${consentId}/accounts/${encodeURIComponent('$ne')}/remove`, { _csrf: csrf }, 'accountId'],
    ] as const) {
      const res = await agent.post(path).type('form').send(form);
      assertNamesField({ status: res.status, text: res.text }, field, [400], path);
      cases += 1;
    }
  });

  it('changed nothing in the database', async () => {
    assert.ok(cases >= 100, `${cases} cases`);
    assertUnchanged(initial, await snapshotDatabase(), 'injection attempts');
  });
});
