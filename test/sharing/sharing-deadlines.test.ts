import assert from 'node:assert/strict';
import { readSharing } from '../../src/sharing/sharing.repository.js';
import { signedInAgent } from '../helpers/agent.js';
import { postForm as post, setOption } from '../helpers/sharing-forms.js';
import { auditEventsWhere } from '../helpers/audit.js';
import { createJointHousehold, type TestPerson } from '../helpers/factories.js';
import {
  appClient,
  authoriseInBrowser,
  createConsentAs,
  exchangeCode,
  readData,
  registerTestApp,
  startOAuthServer,
} from '../helpers/oauth-client.js';
import { textOf } from '../helpers/page-text.js';

const dayMs = 86_400_000;

describe('joint accounts: the 7-day limits, on a clock the test moves', function () {
  this.timeout(120_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;
  let clock = Date.now();
  const later = (days: number) => {
    clock += days * dayMs;
  };

  before(async () => {
    server = await startOAuthServer({}, () => new Date(clock));
  });
  after(async () => server?.close());

  async function signedIn(person: TestPerson) {
    return signedInAgent(server.app, person);
  }

  it('"both must approve": a wait not approved within 7 days lapses; the app never sees the account, and it cannot be approved late', async () => {
    const h = await createJointHousehold();
    const bob = await signedIn(h.bob);
    await setOption(bob, h.joint, 'both').expect(303);

    const app = await registerTestApp(server.issuer);
    const c = await appClient(server.issuer, app);
    const consentId = (
      await createConsentAs(server.issuer, c, { Permissions: ['ReadAccountsDetail', 'ReadBalances'] })
    ).body.Data.ConsentId;
    const flow = await authoriseInBrowser(server.issuer, app, c, consentId, h.alice, () => ({
      decision: 'approve',
      accountIds: [h.aliceOwn, h.joint],
    }));
    const tokens = await exchangeCode(c, flow);
    const read = (path: string) => readData(server.issuer, c, tokens.access_token, path);
    assert.equal((await read(`/accounts/${h.joint}/balances`)).body.Errors?.[0]?.ErrorCode, 'U019');

    later(6);
    assert.match(
      textOf((await bob.agent.get('/my/apps').expect(200)).text),
      /It is waiting for your approval until/,
      'six days on, still waiting',
    );
    later(2);
    const lapsed = await read(`/accounts/${h.joint}/balances`);
    assert.deepEqual([lapsed.status, lapsed.body.Errors?.[0]?.ErrorCode], [403, 'U019']);
    assert.equal((await read(`/accounts/${h.aliceOwn}/balances`)).status, 200, "Alice's own account");
    const refusals = await auditEventsWhere({ consentId, action: 'data.denied' });
    assert.equal(refusals.at(-1)?.reason, 'joint_approval_lapsed');
    assert.ok(refusals.some((e) => e.reason === 'joint_approval_pending'));

    // Too late to approve; the lapse is worked out on reading, never written.
    const version = (await readSharing(h.joint, new Date(clock))).version;
    await post(bob, `/my/shared/${consentId}/${h.joint}/approve`).expect(409);
    assert.equal((await readSharing(h.joint, new Date(clock))).version, version, 'nothing written');
    const ended = textOf((await bob.agent.get('/my/apps?tab=ended').expect(200)).text);
    assert.match(ended, /It was not approved by .*, so .* never saw it\./);
    const alice = await signedIn(h.alice);
    assert.match(
      textOf((await alice.agent.get(`/my/apps/${consentId}`).expect(200)).text),
      /Bob Tester did not approve in time, so the app cannot see it\./,
    );
  });

  it('a request for a less strict option lapses after 7 days unless every holder agrees', async () => {
    const h = await createJointHousehold();
    const [alice, bob] = await Promise.all([signedIn(h.alice), signedIn(h.bob)]);
    await setOption(bob, h.joint, 'none').expect(303);
    await setOption(bob, h.joint, 'either').expect(303);
    assert.match(
      textOf((await alice.agent.get('/my/sharing').expect(200)).text),
      /Bob Tester asked on .* It changes only if you agree by/,
    );

    later(8);
    const page = textOf((await alice.agent.get('/my/sharing').expect(200)).text);
    assert.doesNotMatch(page, /asked on/, 'the lapsed request is no longer shown');
    assert.doesNotMatch(textOf((await alice.agent.get('/my/notices').expect(200)).text), /asked to change/);
    // Alice asking for it now is a new request, waiting for Bob: nothing changes yet.
    await setOption(alice, h.joint, 'either').expect(303);
    const state = (await readSharing(h.joint, new Date(clock))).state;
    assert.deepEqual(
      [state.option, state.proposal?.proposedBy, state.proposal?.agreedBy],
      ['none', h.alice.customerId, [h.alice.customerId]],
    );
  });
});
