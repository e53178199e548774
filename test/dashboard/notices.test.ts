import assert from 'node:assert/strict';
import { setAppStatus } from '../../src/apps/app.service.js';
import { noticesFor } from '../../src/dashboard/notices.service.js';
import { createTestAuditLog } from '../helpers/app.js';
import { signedInAgent } from '../helpers/agent.js';
import { connectedApp, readData, startOAuthServer } from '../helpers/oauth-client.js';
import { textOf } from '../helpers/page-text.js';

describe('customer notices', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('tells her of a new connection, access ending within a week, a read of an account she did not share, and a suspension', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic'], {
      chosen: (ids) => [ids[0]!],
      consent: { ExpirationDateTime: new Date(Date.now() + 5 * 86_400_000).toISOString() },
    });
    const unshared = s.accounts[1]!.accountId;
    assert.equal(
      (await readData(server.issuer, s.c, s.tokens.access_token, `/accounts/${unshared}`)).status,
      403,
    );
    const { agent } = await signedInAgent(server.app, s.person);

    const before = textOf((await agent.get('/my/notices').expect(200)).text);
    assert.match(before, /New connection You connected Budget Buddy on \d+ \w+ \d{4} at \d{2}:\d{2}\./);
    assert.match(before, /Access ending Budget Buddy's access ends within a week, on \d+ \w+ \d{4}\./);
    assert.match(
      before,
      /Read refused Budget Buddy tried to read an account you have not shared with it \(once, most recently on .*\)\. We refused each time\./,
    );
    assert.doesNotMatch(before, /suspended/i);

    await setAppStatus(createTestAuditLog(), { id: 'test-operator' }, s.app.clientId, 'suspended');
    const after = textOf((await agent.get('/my/notices').expect(200)).text);
    assert.match(after, /App suspended We suspended Budget Buddy/);
  });

  it('sums up each app’s reads of the last calendar month, in her time zone', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic', 'ReadBalances']);
    await readData(server.issuer, s.c, s.tokens.access_token, '/accounts');
    await readData(server.issuer, s.c, s.tokens.access_token, '/balances');
    await readData(server.issuer, s.c, s.tokens.access_token, '/balances');
    // Looked at from the second day of next month, this month is "last month".
    const today = new Date();
    const nextMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 2, 12));
    const monthName = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'Europe/London' }).format(
      today,
    );
    const notices = await noticesFor(
      { ...server.consentDeps, now: () => nextMonth },
      s.person.customerId!,
      'Europe/London',
    );
    const monthly = notices.filter((n) => n.kind === 'monthly').map((n) => n.sentence);
    assert.deepEqual(monthly, [
      `Budget Buddy read your account details once and your balances twice in ${monthName}.`,
    ]);
  });

  it('with nothing to say, says so', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    const notices = await noticesFor(
      { ...server.consentDeps, now: () => new Date(Date.now() + 40 * 86_400_000) },
      s.person.customerId!,
      'Europe/London',
    );
    assert.deepEqual(notices, [], 'nothing read, connected over 30 days ago, far from its end');
  });
});
