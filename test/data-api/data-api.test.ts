import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import { obBasePath } from '../../src/open-banking/ob-api.js';
import type { AuditLog } from '../../src/audit/audit-log.js';
import { ServiceUnavailableError } from '../../src/errors.js';
import { revokeConsentByCustomer } from '../../src/consents/consent-customer.service.js';
import { createTestAuditLog } from '../helpers/app.js';
import { auditEventsWhere, lastAuditEventWhere } from '../helpers/audit.js';
import { connectedApp, readData, startOAuthServer } from '../helpers/oauth-client.js';
import { assertValidAgainstSpec } from '../helpers/ob-spec.js';

const everything = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

describe('OB data API', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('GET /accounts answers only the accounts the customer chose, valid against the spec, and audited first', async () => {
    const s = await connectedApp(server, everything, { chosen: (ids) => [ids[1]!] });
    const res = await readData(server.issuer, s.c, s.tokens.access_token, '/accounts');
    assert.equal(res.status, 200);
    assertValidAgainstSpec('OBReadAccount6', res.body);
    assert.deepEqual(
      res.body.Data.Account.map((a: { AccountId: string }) => a.AccountId),
      s.chosen,
    );
    const card = res.body.Data.Account[0];
    assert.equal(card.AccountTypeCode, 'CARD');
    assert.match(card.Account[0].Identification, /^\*{12}\d{4}$/, 'masked without ReadPAN');
    const event = await lastAuditEventWhere({ consentId: s.consentId, action: 'data.accessed' });
    assert.deepEqual(
      [event?.resource, event?.recordCount, event?.accountIds],
      ['GET /accounts', 1, s.chosen],
    );
  });

  it('shapes by permission: Basic hides identification, ReadPAN shows the full card number', async () => {
    const basic = await connectedApp(server, ['ReadAccountsBasic']);
    const b = await readData(server.issuer, basic.c, basic.tokens.access_token, '/accounts');
    assertValidAgainstSpec('OBReadAccount6', b.body);
    assert.ok(b.body.Data.Account.every((a: Record<string, unknown>) => !('Account' in a)));

    const pan = await connectedApp(server, ['ReadAccountsDetail', 'ReadPAN']);
    const p = await readData(server.issuer, pan.c, pan.tokens.access_token, '/accounts');
    const card = p.body.Data.Account.find((a: { AccountTypeCode: string }) => a.AccountTypeCode === 'CARD');
    assert.equal(card.Account[0].Identification, pan.accounts[1]!.pan);
  });

  it('balances: booked and available, with the card credit line', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic', 'ReadBalances']);
    const res = await readData(server.issuer, s.c, s.tokens.access_token, '/balances');
    assertValidAgainstSpec('OBReadBalance1', res.body);
    assert.equal(res.body.Data.Balance.length, 4);
    const one = await readData(
      server.issuer,
      s.c,
      s.tokens.access_token,
      `/accounts/${s.accounts[0]!.accountId}/balances`,
    );
    assert.deepEqual(
      one.body.Data.Balance.map((b: { Type: string }) => b.Type),
      ['ITBD', 'ITAV'],
    );
  });

  it('transactions: detail fields, credits only, newest first, paged by Links.Next', async () => {
    const s = await connectedApp(
      server,
      ['ReadAccountsBasic', 'ReadTransactionsDetail', 'ReadTransactionsCredits'],
      { transactions: 150 },
    );
    const account = s.accounts[0]!;
    const credits = account.transactions.filter((t) => t.creditDebit === 'Credit');
    const seen: string[] = [];
    let url: string | undefined = `/accounts/${account.accountId}/transactions`;
    while (url) {
      const res = await readData(server.issuer, s.c, s.tokens.access_token, url);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertValidAgainstSpec('OBReadTransaction6', res.body);
      for (const t of res.body.Data.Transaction) {
        assert.equal(t.CreditDebitIndicator, 'Credit');
        seen.push(t.TransactionId);
      }
      url = res.body.Links.Next;
    }
    assert.deepEqual(seen.sort(), credits.map((t) => t.transactionId).sort());
  });

  it('transactions: Basic omits merchant and description; the consent window bounds what is returned', async () => {
    const from = new Date(Date.now() - 30 * 86_400_000);
    const s = await connectedApp(
      server,
      ['ReadAccountsBasic', 'ReadTransactionsBasic', 'ReadTransactionsDebits'],
      {
        transactions: 120,
        consent: { TransactionFromDateTime: from.toISOString() },
      },
    );
    const res = await readData(
      server.issuer,
      s.c,
      s.tokens.access_token,
      `/accounts/${s.accounts[0]!.accountId}/transactions`,
    );
    assertValidAgainstSpec('OBReadTransaction6', res.body);
    for (const t of res.body.Data.Transaction) {
      assert.ok(!('MerchantDetails' in t) && !('TransactionInformation' in t));
      assert.ok(new Date(t.BookingDateTime) >= from);
    }
    const outside = await readData(
      server.issuer,
      s.c,
      s.tokens.access_token,
      `/accounts/${s.accounts[0]!.accountId}/transactions?toBookingDateTime=2020-01-01`,
    );
    assert.equal(outside.status, 400);
    assert.equal(outside.body.Errors[0].ErrorCode, 'U016');
    assert.equal(
      (await lastAuditEventWhere({ consentId: s.consentId, action: 'data.denied' }))?.reason,
      'outside_transaction_window',
    );
  });

  it('refuses, with the reason audited: a permission not granted, an account not chosen', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic'], { chosen: (ids) => [ids[0]!] });
    const balances = await readData(server.issuer, s.c, s.tokens.access_token, '/balances');
    assert.equal(balances.status, 403);
    assertValidAgainstSpec('OBErrorResponse1', balances.body);
    assert.equal(balances.body.Errors[0].ErrorCode, 'U008');
    const other = await readData(
      server.issuer,
      s.c,
      s.tokens.access_token,
      `/accounts/${s.accounts[1]!.accountId}`,
    );
    assert.equal(other.status, 403);
    assert.equal(other.body.Errors[0].ErrorCode, 'U015');
    const reasons = (await auditEventsWhere({ consentId: s.consentId, action: 'data.denied' })).map(
      (e) => e.reason,
    );
    assert.deepEqual(reasons, ['permission_missing', 'account_not_in_consent']);
  });

  it('limits unattended calls to 4 a day per consent, then 429', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    for (let i = 0; i < 4; i++) {
      assert.equal(
        (await readData(server.issuer, s.c, s.tokens.access_token, '/accounts', { attended: false })).status,
        200,
      );
    }
    const fifth = await readData(server.issuer, s.c, s.tokens.access_token, '/accounts', { attended: false });
    assert.equal(fifth.status, 429);
    assert.equal(fifth.body.Errors[0].ErrorCode, 'U012');
    assert.equal(
      (await readData(server.issuer, s.c, s.tokens.access_token, '/accounts')).status,
      200,
      'attended calls are not limited',
    );
  });

  it('counts the customer as present only for a real IP address: anything else is a 400 naming the header, and reads nothing', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    for (let i = 0; i < 4; i++)
      await readData(server.issuer, s.c, s.tokens.access_token, '/accounts', { attended: false });
    const limited = await readData(server.issuer, s.c, s.tokens.access_token, '/accounts', {
      attended: false,
    });
    assert.equal(limited.status, 429);
    for (const value of ['not-an-ip-address', '999.1.1.1', '198.51.100.7, 10.0.0.1', '']) {
      const res = await readData(server.issuer, s.c, s.tokens.access_token, '/accounts', {
        attended: false,
        headers: { 'x-fapi-customer-ip-address': value },
      });
      assert.equal(res.status, 400, `"${value}"`);
      assert.equal(res.body.Errors[0].ErrorCode, 'U006');
      assert.equal(res.body.Errors[0].Path, 'x-fapi-customer-ip-address');
      assert.equal(res.body.Data, undefined);
    }
    for (const ip of ['198.51.100.7', '2001:db8::7'])
      assert.equal(
        (
          await readData(server.issuer, s.c, s.tokens.access_token, '/accounts', {
            headers: { 'x-fapi-customer-ip-address': ip },
          })
        ).status,
        200,
      );
    const reads = await auditEventsWhere({ consentId: s.consentId, action: 'data.accessed' });
    assert.equal(reads.length, 6, 'four unattended reads and the two with a real address');
  });

  it("keeps the app's x-fapi-interaction-id beside our own request id in the audit log, and refuses one that is not a UUID", async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    const interactionId = randomUUID();
    const ok = await readData(server.issuer, s.c, s.tokens.access_token, '/accounts', {
      headers: { 'x-fapi-interaction-id': interactionId },
    });
    assert.equal(ok.status, 200);
    const event = (await auditEventsWhere({ consentId: s.consentId, action: 'data.accessed' })).at(-1)!;
    assert.equal(event.interactionId, interactionId);
    assert.match(event.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(event.requestId, interactionId, 'the request id is the server’s own');

    const refused = await readData(server.issuer, s.c, s.tokens.access_token, '/accounts', {
      headers: { 'x-fapi-interaction-id': 'DROP TABLE audit' },
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.Errors[0].Path, 'x-fapi-interaction-id');
  });

  it('accepts a DPoP proof once: the same proof sent five times at once gets one answer, four refusals', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    const url = `${server.issuer}${obBasePath}/accounts`;
    const proof = await new SignJWT({
      htm: 'GET',
      htu: url,
      ath: createHash('sha256').update(s.tokens.access_token).digest('base64url'),
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(s.c.dpopKeys.publicKey) })
      .setIssuedAt()
      .sign(s.c.dpopKeys.privateKey);
    const statuses = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const res = await fetch(url, {
          headers: { authorization: `DPoP ${s.tokens.access_token}`, dpop: proof },
        });
        return res.status;
      }),
    );
    assert.deepEqual(statuses.sort(), [200, 401, 401, 401, 401], 'exactly one use of the proof succeeds');
  });

  it('after revocation the next call is refused', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    assert.equal((await readData(server.issuer, s.c, s.tokens.access_token, '/accounts')).status, 200);
    await revokeConsentByCustomer(server.consentDeps, s.person.customerId!, s.consentId, {});
    const after = await readData(server.issuer, s.c, s.tokens.access_token, '/accounts');
    assert.equal(after.status, 401);
    const denied = await lastAuditEventWhere({ consentId: s.consentId, action: 'data.denied' });
    assert.equal(denied?.reason, 'consent_revoked');
  });

  it('races a revocation against 50 concurrent readers: no read that starts after the revoke returns succeeds', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic', 'ReadBalances']);
    let revokedAt = Number.POSITIVE_INFINITY;
    const results: { startedAt: number; status: number }[] = [];
    const deadline = Date.now() + 4_000;
    const reader = async () => {
      while (Date.now() < deadline) {
        const startedAt = performance.now();
        const res = await readData(server.issuer, s.c, s.tokens.access_token, '/balances');
        results.push({ startedAt, status: res.status });
        if (startedAt > revokedAt + 50) return;
      }
    };
    const revoker = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      await revokeConsentByCustomer(server.consentDeps, s.person.customerId!, s.consentId, {});
      revokedAt = performance.now();
    })();
    await Promise.all([revoker, ...Array.from({ length: 50 }, reader)]);
    const before = results.filter((r) => r.status === 200);
    const lateSuccesses = results.filter((r) => r.startedAt > revokedAt && r.status === 200);
    assert.ok(before.length > 0, 'some reads succeeded before the revocation');
    assert.ok(
      results.some((r) => r.startedAt > revokedAt),
      'some reads started after it',
    );
    assert.deepEqual(lateSuccesses, []);
  });
});

describe('OB data API when the audit log cannot be written', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;
  let failDataEvents = false;

  before(async () => {
    const real = createTestAuditLog();
    const audit: AuditLog = {
      ...real,
      record: (input) =>
        failDataEvents && input.action === 'data.accessed'
          ? Promise.reject(
              new ServiceUnavailableError(
                'The audit log is unavailable, so this request was not carried out.',
              ),
            )
          : real.record(input),
    };
    server = await startOAuthServer({}, undefined, audit);
  });
  after(async () => server?.close());

  it('answers 503 with no data', async () => {
    const s = await connectedApp(server, ['ReadAccountsDetail', 'ReadBalances']);
    failDataEvents = true;
    const res = await readData(server.issuer, s.c, s.tokens.access_token, '/accounts');
    failDataEvents = false;
    assert.equal(res.status, 503);
    assertValidAgainstSpec('OBErrorResponse1', res.body);
    assert.ok(!('Data' in res.body));
    assert.doesNotMatch(JSON.stringify(res.body), new RegExp(s.accounts[0]!.accountId));
  });
});
