import assert from 'node:assert/strict';
import { obBasePath } from '../../src/open-banking/ob-api.js';
import { assertUnchanged, snapshotDatabase } from '../helpers/db-snapshot.js';
import { assertNamesField, type Refusal } from '../security/answers.js';
import {
  clientToken,
  obCall,
  securityWorld,
  verificationRunsSettled,
  type SecurityWorld,
} from '../security/world.js';

interface Case {
  endpoint: string;
  label: string;
  send: () => Promise<Refusal>;
  /** The field the answer names; undefined when the body as a whole is unreadable. */
  field: string | undefined;
  statuses: number[];
}

const long = (n: number) => 'x'.repeat(n);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('malformed JSON and query input on the APIs: a clear 400 naming the field, and the database unchanged', function () {
  this.timeout(60_000);
  let w: SecurityWorld;
  let cases: Case[];

  before(async () => {
    w = await securityWorld();
    const { linked } = w;
    const cc = await clientToken(linked.c);
    const consents = `${w.server.issuer}${obBasePath}/account-access-consents`;
    const data = `${w.server.issuer}${obBasePath}`;
    const accountId = linked.accounts[0]!.accountId;
    const attended = { 'x-fapi-customer-ip-address': '198.51.100.7' };

    const postConsent =
      (body: unknown, contentType = 'application/json') =>
      async (): Promise<Refusal> =>
        obCall(linked.c, cc, 'POST', consents, {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          contentType,
        });
    const valid = { Permissions: ['ReadAccountsBasic', 'ReadBalances'], ExpirationDateTime: inDays(30) };
    const consentBodies: [string, unknown, string | undefined][] = [
      ['Data missing', { Risk: {} }, 'Data'],
      ['Risk missing', { Data: valid }, 'Risk'],
      ['Data an array', { Data: [valid], Risk: {} }, 'Data'],
      ['Data a string', { Data: 'ReadAccountsBasic', Risk: {} }, 'Data'],
      ['Risk with a member', { Data: valid, Risk: { PaymentContextCode: 'x' } }, 'Risk.PaymentContextCode'],
      ['Permissions missing', { Data: { ExpirationDateTime: inDays(30) }, Risk: {} }, 'Data.Permissions'],
      ['Permissions a string', { Data: { Permissions: 'ReadAccountsBasic' }, Risk: {} }, 'Data.Permissions'],
      ['Permissions empty', { Data: { Permissions: [] }, Risk: {} }, 'Data.Permissions'],
      [
        'Permissions with a number',
        { Data: { Permissions: ['ReadAccountsBasic', 7] }, Risk: {} },
        'Data.Permissions.1',
      ],
      [
        'an unknown permission',
        { Data: { Permissions: ['ReadEverything'] }, Risk: {} },
        'Data.Permissions.0',
      ],
      ['an over-long permission', { Data: { Permissions: [long(10_000)] }, Risk: {} }, 'Data.Permissions.0'],
      [
        'a permission not served',
        { Data: { Permissions: ['ReadAccountsBasic', 'ReadParty'] }, Risk: {} },
        'Data.Permissions',
      ],
      [
        'expiry a number',
        { Data: { ...valid, ExpirationDateTime: Date.now() }, Risk: {} },
        'Data.ExpirationDateTime',
      ],
      [
        'expiry not a date',
        { Data: { ...valid, ExpirationDateTime: 'next year' }, Risk: {} },
        'Data.ExpirationDateTime',
      ],
      [
        'expiry without a zone',
        { Data: { ...valid, ExpirationDateTime: '2027-01-01T10:00:00' }, Risk: {} },
        'Data.ExpirationDateTime',
      ],
      [
        'expiry on 31 February',
        { Data: { ...valid, ExpirationDateTime: '2027-02-31T10:00:00+00:00' }, Risk: {} },
        'Data.ExpirationDateTime',
      ],
      [
        'expiry month 13',
        { Data: { ...valid, ExpirationDateTime: '2027-13-01T10:00:00+00:00' }, Risk: {} },
        'Data.ExpirationDateTime',
      ],
      [
        'expiry in the past',
        { Data: { ...valid, ExpirationDateTime: '2020-01-01T00:00:00+00:00' }, Risk: {} },
        'Data.ExpirationDateTime',
      ],
      [
        'expiry beyond the maximum',
        { Data: { ...valid, ExpirationDateTime: inDays(400) }, Risk: {} },
        'Data.ExpirationDateTime',
      ],
      [
        'transactions from after to',
        {
          Data: {
            Permissions: ['ReadAccountsBasic', 'ReadTransactionsBasic', 'ReadTransactionsDebits'],
            TransactionFromDateTime: '2026-05-01T00:00:00+00:00',
            TransactionToDateTime: '2026-04-01T00:00:00+00:00',
          },
          Risk: {},
        },
        'Data.TransactionFromDateTime',
      ],
      ['an unknown member of Data', { Data: { ...valid, Status: 'AUTH' }, Risk: {} }, 'Data.Status'],
      ['an unknown top-level member', { Data: valid, Risk: {}, Links: {} }, 'Links'],
      ['a body that is an array', [{ Data: valid, Risk: {} }], '(body)'],
      ['a body that is null', 'null', undefined],
      ['a body that is not JSON', '{"Data":', undefined],
      ['an empty body', '', 'Data'],
    ];
    cases = consentBodies.map(([label, body, field]) => ({
      endpoint: 'POST /account-access-consents',
      label,
      field,
      statuses: [400],
      send: postConsent(body),
    }));
    cases.push({
      endpoint: 'POST /account-access-consents',
      label: 'a form body instead of JSON',
      field: '(body)',
      statuses: [400],
      send: postConsent('Permissions=ReadAccountsBasic', 'application/x-www-form-urlencoded'),
    });
    for (const method of ['GET', 'DELETE']) {
      for (const [label, path, field] of [
        ['an over-long ConsentId', `/${long(129)}`, 'ConsentId'],
        ['a ConsentId with spaces', '/aac%20x', 'ConsentId'],
        ['a query parameter', `/${linked.consentId}?Status=AUTH`, 'Status'],
      ] as const) {
        cases.push({
          endpoint: `${method} /account-access-consents/{ConsentId}`,
          label,
          field,
          statuses: [400],
          send: () => obCall(linked.c, cc, method, `${consents}${path}`),
        });
      }
    }

    const read = (path: string) => () =>
      obCall(linked.c, linked.tokens.access_token, 'GET', `${data}${path}`, { headers: attended });
    for (const [endpoint, path, field] of [
      ['GET /accounts', '/accounts?limit=10', 'limit'],
      ['GET /balances', '/balances?AccountId=x', 'AccountId'],
      ['GET /accounts/{AccountId}', `/accounts/${long(41)}`, 'AccountId'],
      ['GET /accounts/{AccountId}', `/accounts/${accountId}?x=1`, 'x'],
      ['GET /accounts/{AccountId}/balances', `/accounts/a%20b/balances`, 'AccountId'],
      [
        'GET /accounts/{AccountId}/transactions',
        `/accounts/${accountId}/transactions?fromBookingDateTime=yesterday`,
        'fromBookingDateTime',
      ],
      [
        'GET /accounts/{AccountId}/transactions',
        `/accounts/${accountId}/transactions?fromBookingDateTime=2026-02-30`,
        'fromBookingDateTime',
      ],
      [
        'GET /accounts/{AccountId}/transactions',
        `/accounts/${accountId}/transactions?toBookingDateTime=2026-13-01`,
        'toBookingDateTime',
      ],
      [
        'GET /accounts/{AccountId}/transactions',
        `/accounts/${accountId}/transactions?toBookingDateTime=2026-04-01T25:00:00`,
        'toBookingDateTime',
      ],
      [
        'GET /accounts/{AccountId}/transactions',
        `/accounts/${accountId}/transactions?page=${long(201)}`,
        'page',
      ],
      [
        'GET /accounts/{AccountId}/transactions',
        `/accounts/${accountId}/transactions?page=not-a-cursor`,
        'page',
      ],
      [
        'GET /transactions',
        '/transactions?fromBookingDateTime=2026-01-01&fromBookingDateTime=2026-02-01',
        'fromBookingDateTime',
      ],
      ['GET /transactions', '/transactions?sort=asc', 'sort'],
    ] as const) {
      cases.push({ endpoint, label: path, field, statuses: [400], send: read(path) });
    }

    // The compliance JSON API: query filters and the POST endpoints' (empty) bodies.
    const officer = w.compliance;
    const get = (path: string) => async (): Promise<Refusal> => {
      const res = await officer.agent.get(path);
      return { status: res.status, text: res.text, body: res.body };
    };
    for (const [endpoint, path, field] of [
      ['GET /api/compliance/events', '/api/compliance/events?limit=abc', 'limit'],
      ['GET /api/compliance/events', '/api/compliance/events?limit=201', 'limit'],
      ['GET /api/compliance/events', '/api/compliance/events?before=0', 'before'],
      ['GET /api/compliance/events', '/api/compliance/events?from=2026-02-30', 'from'],
      ['GET /api/compliance/events', '/api/compliance/events?to=2026-04-01T24:00Z', 'to'],
      ['GET /api/compliance/events', '/api/compliance/events?from=2026-05-01&to=2026-04-01', 'from'],
      ['GET /api/compliance/events', '/api/compliance/events?action=consent.stolen', 'action'],
      ['GET /api/compliance/events', '/api/compliance/events?customerId=a%2Fb', 'customerId'],
      ['GET /api/compliance/events', `/api/compliance/events?consentId=${long(201)}`, 'consentId'],
      ['GET /api/compliance/events', '/api/compliance/events?clientId=a&clientId=b', 'clientId'],
      ['GET /api/compliance/events', '/api/compliance/events?page=2', 'page'],
      ['GET /api/compliance/events/{seq}', '/api/compliance/events/abc', 'seq'],
      ['GET /api/compliance/events/{seq}', '/api/compliance/events/-4', 'seq'],
      ['GET /api/compliance/events/{seq}', '/api/compliance/events/1.5', 'seq'],
      [
        'GET /api/compliance/consents/{consentId}/events',
        `/api/compliance/consents/${linked.consentId}/events?limit=501`,
        'limit',
      ],
      [
        'GET /api/compliance/consents/{consentId}/events',
        `/api/compliance/consents/${linked.consentId}/events?after=x`,
        'after',
      ],
      [
        'GET /api/compliance/consents/{consentId}/events',
        '/api/compliance/consents/a%20b/events',
        'consentId',
      ],
      ['GET /api/compliance/activity', '/api/compliance/activity?days=-1', 'days'],
      ['GET /api/compliance/activity', '/api/compliance/activity?days=1&app=x', 'app'],
      ['GET /api/compliance/checkpoints', '/api/compliance/checkpoints?all=1', 'all'],
      ['GET /api/compliance/export', '/api/compliance/export?format=pdf', 'format'],
      ['GET /api/compliance/export', '/api/compliance/export?from=soon', 'from'],
      ['GET /api/compliance/evidence-pack', '/api/compliance/evidence-pack?limit=5', 'limit'],
    ] as const) {
      cases.push({ endpoint, label: path, field, statuses: [400], send: get(path) });
    }
    for (const path of ['/api/compliance/checkpoints', '/api/compliance/verifications']) {
      for (const [label, body, field] of [
        ['an unknown member', '{"force":true}', 'force'],
        ['an array', '[]', '(body)'],
        ['a string', '"sign"', undefined],
        ['not JSON', '{"force":', undefined],
      ] as const) {
        cases.push({
          endpoint: `POST ${path}`,
          label,
          field,
          statuses: [400],
          send: async () => {
            const res = await officer.agent
              .post(path)
              .set('x-csrf-token', officer.csrf)
              .set('content-type', 'application/json')
              .send(body);
            return { status: res.status, text: res.text, body: res.body };
          },
        });
      }
    }
    await verificationRunsSettled();
  });
  after(async () => w?.close());

  it('every case is refused naming its field (or, for unreadable bodies, saying so), and nothing in the database changed', async () => {
    const before = await snapshotDatabase();
    const failures: string[] = [];
    for (const c of cases) {
      const label = `${c.endpoint}: ${c.label.slice(0, 80)}`;
      try {
        const res = await c.send();
        if (c.field) assertNamesField(res, c.field, c.statuses, label);
        else {
          assert.ok(c.statuses.includes(res.status), `${label}: ${res.status} ${res.text.slice(0, 200)}`);
          assert.match(res.text, /not valid JSON|could not be read/, label);
        }
      } catch (error) {
        failures.push((error as Error).message.split('\n')[0]!.slice(0, 300));
      }
    }
    assert.deepEqual(failures, []);
    assertUnchanged(before, await snapshotDatabase(), 'malformed API input');
    const endpoints = new Set(cases.map((c) => c.endpoint));
    assert.ok(
      cases.length >= 75 && endpoints.size >= 15,
      `${cases.length} cases over ${endpoints.size} endpoints`,
    );
  });
});
