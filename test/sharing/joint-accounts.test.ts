import assert from 'node:assert/strict';
import { searchAuditEvents } from '../../src/audit/audit-query.repository.js';
import { findAccounts } from '../../src/accounts/account.repository.js';
import { readConsent } from '../../src/consents/consent.repository.js';
import { readSharing } from '../../src/sharing/sharing.repository.js';
import { WebhookDeliveryModel } from '../../src/webhooks/webhook.model.js';
import { signedInAgent } from '../helpers/agent.js';
import { testIndexer } from '../helpers/app.js';
import { postForm as post, setOption } from '../helpers/sharing-forms.js';
import { auditEventsWhere } from '../helpers/audit.js';
import { createJointHousehold, createPerson, type TestPerson } from '../helpers/factories.js';
import {
  appClient,
  authoriseInBrowser,
  createConsentAs,
  csrfOf,
  exchangeCode,
  readData,
  registerTestApp,
  startOAuthServer,
} from '../helpers/oauth-client.js';
import { assertValidAgainstSpec } from '../helpers/ob-spec.js';
import { textOf } from '../helpers/page-text.js';

/** The notices queued for the app saying an account left this connection (claims, without the time). */
async function withdrawalNotices(consentId: string) {
  const deliveries = await WebhookDeliveryModel.find({
    consentId,
    event: 'consent.account-withdrawn',
  }).lean();
  return deliveries.map((d) => {
    const { WithdrawnDateTime, ...claims } = d.claims as Record<string, unknown>;
    assert.match(String(WithdrawnDateTime), /^\d{4}-\d{2}-\d{2}T/);
    return claims;
  });
}

const permissions = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

describe('joint accounts and additional cardholders', function () {
  this.timeout(120_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  /** The app asks, `person` approves `chosen` on the consent screen; resolves the app's tokens (if approved). */
  async function connect(person: TestPerson, chosen: string[], whileScreenIsOpen?: () => Promise<unknown>) {
    // The app takes notices; none is delivered here (nothing listens), only queued.
    const app = await registerTestApp(server.issuer, { webhookUrl: 'http://127.0.0.1:9/hooks' });
    const c = await appClient(server.issuer, app);
    const created = await createConsentAs(server.issuer, c, { Permissions: permissions });
    const consentId = created.body.Data.ConsentId;
    const flow = await authoriseInBrowser(server.issuer, app, c, consentId, person, async () => {
      await whileScreenIsOpen?.();
      return { decision: 'approve', accountIds: chosen };
    });
    const tokens = flow.decided.status === 303 ? await exchangeCode(c, flow) : undefined;
    const read = (path: string) => readData(server.issuer, c, tokens!.access_token, path);
    return { consentId, flow, tokens, read };
  }

  async function signedIn(person: TestPerson) {
    const { agent, csrf } = await signedInAgent(server.app, person);
    return { agent, csrf };
  }

  it('"either holder may share": shared at once, the other holder sees it, is told, and can stop it', async () => {
    const h = await createJointHousehold();
    const shared = await connect(h.alice, [h.aliceOwn, h.joint]);
    assert.match(textOf(shared.flow.screenHtml), /Joint account with Bob Tester\. Bob Tester will be told/);
    const balances = await shared.read(`/accounts/${h.joint}/balances`);
    assert.equal(balances.status, 200);
    assertValidAgainstSpec('OBReadBalance1', balances.body);

    const bob = await signedIn(h.bob);
    const apps = textOf((await bob.agent.get('/my/apps').expect(200)).text);
    assert.match(apps, /Apps connected to accounts you share with others/);
    assert.match(apps, /Budget Buddy ?: Joint account ending \d{4}, shared by Alice Tester/);
    const notices = textOf((await bob.agent.get('/my/notices').expect(200)).text);
    assert.match(notices, /Alice Tester shared Joint account ending \d{4} with Budget Buddy/);

    const confirm = textOf(
      (await bob.agent.get(`/my/shared/${shared.consentId}/${h.joint}/stop`).expect(200)).text,
    );
    assert.match(confirm, /From the moment you confirm, Budget Buddy cannot see this account/);
    await post(bob, `/my/shared/${shared.consentId}/${h.joint}/stop`).expect(303);
    // Stopped once: no second stop, and no approving what has ended.
    await post(bob, `/my/shared/${shared.consentId}/${h.joint}/stop`).expect(409);
    await bob.agent.get(`/my/shared/${shared.consentId}/${h.joint}/approve`).expect(409);

    const refused = await shared.read(`/accounts/${h.joint}/transactions`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.Errors[0].ErrorCode, 'U019');
    assertValidAgainstSpec('OBErrorResponse1', refused.body);
    assert.equal(
      (await shared.read(`/accounts/${h.aliceOwn}/transactions`)).status,
      200,
      "Alice's own account still works",
    );
    const listed = await shared.read('/accounts');
    assert.deepEqual(
      listed.body.Data.Account.map((a: { AccountId: string }) => a.AccountId),
      [h.aliceOwn],
    );
    assert.deepEqual(await withdrawalNotices(shared.consentId), [
      {
        event: 'consent.account-withdrawn',
        ConsentId: shared.consentId,
        AccountId: h.joint,
        Reason: 'sharing_stopped_by_holder',
        ReasonDescription: 'A holder of the account stopped sharing it',
        DataDeletion: 'requested',
      },
    ]);

    const [stopped] = await auditEventsWhere({ consentId: shared.consentId, action: 'sharing.stopped' });
    assert.deepEqual(
      [stopped?.customerId, stopped?.reason, stopped?.holderIds],
      [h.bob.customerId, 'stopped', [h.alice.customerId, h.bob.customerId]],
    );
    const [denied] = await auditEventsWhere({ consentId: shared.consentId, action: 'data.denied' });
    assert.equal(denied?.reason, 'sharing_stopped_by_holder');

    // Bob keeps seeing the connection he stopped, among those that ended.
    const ended = textOf((await bob.agent.get('/my/apps?tab=ended').expect(200)).text);
    assert.match(
      ended,
      /Budget Buddy ?: Joint account ending \d{4}, shared by Alice Tester on .*\. You stopped sharing it on .*\. Budget Buddy cannot see it\./,
    );
    assert.match(ended, /Active 0 Waiting for you 0 Ended 1/, 'each tab counts what it lists');

    const alice = await signedIn(h.alice);
    // Her own account is now the only one the app sees: taking it out alone is refused, even
    // asked for directly (the page offers revoking instead), and nothing changes.
    await alice.agent
      .get(`/my/apps/${shared.consentId}/accounts/${h.aliceOwn}/remove`)
      .expect(303)
      .expect('location', `/my/apps/${shared.consentId}/revoke`);
    const lastOne = await post(alice, `/my/apps/${shared.consentId}/accounts/${h.aliceOwn}/remove`).expect(
      409,
    );
    assert.match(textOf(lastOne.text), /This is the last account shared with the app: revoke access instead/);
    assert.equal((await shared.read(`/accounts/${h.aliceOwn}/transactions`)).status, 200);
    assert.deepEqual(
      await auditEventsWhere({ consentId: shared.consentId, action: 'consent.account_removed' }),
      [],
    );
    assert.match(
      textOf((await alice.agent.get('/my/notices').expect(200)).text),
      /Bob Tester stopped sharing Joint account/,
    );
    assert.match(
      textOf((await alice.agent.get(`/my/apps/${shared.consentId}`).expect(200)).text),
      /cannot see Joint account ending \d{4} Bob Tester stopped sharing it, so the app can no longer see it/,
      'under the accounts the app cannot see, not the ones shared',
    );
    // The app's reads of the joint account, and the refusal, are found under Bob too.
    const bobsReads = await searchAuditEvents(
      { customerId: h.bob.customerId!, consentId: shared.consentId },
      { limit: 50 },
    );
    assert.deepEqual(
      new Set(
        bobsReads.events
          .filter((e) => e.action.startsWith('data.'))
          .map((e) => `${e.action} ${e.accountIds}`),
      ),
      new Set([`data.accessed ${h.joint}`, `data.denied ${h.joint}`]),
      "reads of Alice's own account are not Bob's",
    );
    // A compliance search by either holder finds the decision, and its page names both.
    for (const holder of [h.alice.customerId!, h.bob.customerId!]) {
      const found = await searchAuditEvents({ customerId: holder, action: 'sharing.chosen' }, { limit: 10 });
      assert.ok(
        found.events.some((e) => e.consentId === shared.consentId),
        `found by ${holder}`,
      );
    }
    const officer = await signedIn(await createPerson('compliance'));
    assert.match(
      textOf((await officer.agent.get(`/compliance/events/${stopped!.seq}`).expect(200)).text),
      /Account holders\s*Alice Tester\s*,\s*Bob Tester/,
    );
  });

  it('"both must approve": the app is refused until the other holder approves', async () => {
    const h = await createJointHousehold();
    const bob = await signedIn(h.bob);
    assert.match(
      textOf((await post(bob, `/my/sharing/${h.joint}/option`, { option: 'both' }).expect(200)).text),
      /No app can see this account now without every holder’s approval, so no app stops seeing it\./,
    );
    await setOption(bob, h.joint, 'both').expect(303);
    const shared = await connect(h.alice, [h.aliceOwn, h.joint]);
    assert.match(textOf(shared.flow.screenHtml), /cannot see it until Bob Tester approves, within 7 days/);

    const waiting = await shared.read(`/accounts/${h.joint}/balances`);
    assert.deepEqual([waiting.status, waiting.body.Errors?.[0]?.ErrorCode], [403, 'U019']);
    const [denied] = await auditEventsWhere({ consentId: shared.consentId, action: 'data.denied' });
    assert.equal(denied?.reason, 'joint_approval_pending');
    assert.deepEqual(
      (await shared.read('/accounts')).body.Data.Account.map((a: { AccountId: string }) => a.AccountId),
      [h.aliceOwn],
      'shown to the app as not yet authorised for that account',
    );
    const alice = await signedIn(h.alice);
    assert.match(
      textOf((await alice.agent.get(`/my/apps/${shared.consentId}`).expect(200)).text),
      /Waiting for Bob Tester to approve/,
    );

    assert.match(textOf((await bob.agent.get('/my/notices').expect(200)).text), /unless you approve by/);
    await bob.agent.get(`/my/shared/${shared.consentId}/${h.joint}/approve`).expect(200);
    await post(bob, `/my/shared/${shared.consentId}/${h.joint}/approve`).expect(303);
    assert.equal((await shared.read(`/accounts/${h.joint}/balances`)).status, 200);
    const [approved] = await auditEventsWhere({ consentId: shared.consentId, action: 'sharing.approved' });
    assert.deepEqual(approved?.holderIds, [h.alice.customerId, h.bob.customerId]);
  });

  it('"both must approve", declined: the app never sees the account and is not told of it', async () => {
    const h = await createJointHousehold();
    const bob = await signedIn(h.bob);
    await setOption(bob, h.joint, 'both').expect(303);
    const shared = await connect(h.alice, [h.aliceOwn, h.joint]);
    const confirm = textOf(
      (await bob.agent.get(`/my/shared/${shared.consentId}/${h.joint}/stop`).expect(200)).text,
    );
    assert.match(confirm, /Decline sharing Joint account ending \d{4} with Budget Buddy\?/);
    assert.match(confirm, /Budget Buddy never sees this account and is not told about it/);
    await post(bob, `/my/shared/${shared.consentId}/${h.joint}/stop`).expect(303);
    const refused = await shared.read(`/accounts/${h.joint}/balances`);
    assert.deepEqual([refused.status, refused.body.Errors?.[0]?.ErrorCode], [403, 'U019']);
    const [denied] = await auditEventsWhere({ consentId: shared.consentId, action: 'data.denied' });
    assert.equal(denied?.reason, 'joint_approval_declined');
    assert.deepEqual(await withdrawalNotices(shared.consentId), [], 'the notice would hand the account over');
  });

  it('"no sharing": the joint account cannot be chosen, and choosing it anyway changes nothing', async () => {
    const h = await createJointHousehold();
    const alice = await signedIn(h.alice);
    await setOption(alice, h.joint, 'none').expect(303);
    const attempt = await connect(h.alice, [h.joint]);
    assert.equal(attempt.flow.decided.status, 422);
    assert.match(textOf(attempt.flow.screenHtml), /Its holders have chosen not to share it with apps/);
    assert.match(attempt.flow.screenHtml, new RegExp(`id="account-${h.joint}"[^>]* disabled`));
    assert.equal((await readSharing(h.joint, new Date())).state.connections.length, 0);
  });

  it('another holder forbids sharing while the consent screen is open: asked again, nothing recorded, then approved without it', async () => {
    const h = await createJointHousehold();
    const bob = await signedIn(h.bob);
    const attempt = await connect(h.alice, [h.aliceOwn, h.joint], () =>
      setOption(bob, h.joint, 'none').expect(303),
    );
    assert.equal(attempt.flow.decided.status, 422);
    const again = await attempt.flow.decided.text();
    assert.match(
      textOf(again),
      /You cannot share an account whose other holders have not allowed it; untick it/,
    );
    assert.equal((await readSharing(h.joint, new Date())).state.connections.length, 0, 'nothing recorded');
    assert.equal((await readConsent(attempt.consentId))?.status, 'AWAU');

    const approved = await attempt.flow.browser.postForm(attempt.flow.screenUrl, {
      _csrf: csrfOf(again),
      decision: 'approve',
      accountIds: [h.aliceOwn],
    });
    assert.equal(approved.status, 303);
    const consent = await readConsent(attempt.consentId);
    assert.deepEqual([consent?.status, consent?.accountIds], ['AUTH', [h.aliceOwn]]);
  });

  it('a stricter option ends existing connections at once; a less strict one waits for every holder', async () => {
    const h = await createJointHousehold();
    const shared = await connect(h.alice, [h.aliceOwn, h.joint]);
    const bob = await signedIn(h.bob);
    const confirm = textOf(
      (await post(bob, `/my/sharing/${h.joint}/option`, { option: 'none' }).expect(200)).text,
    );
    assert.match(
      confirm,
      /Budget Buddy can see this account now and stops seeing it at once\. We tell Alice Tester\./,
      'names the apps the change stops',
    );
    assert.equal(
      (await readSharing(h.joint, new Date())).state.option,
      'either',
      'nothing before confirming',
    );
    await setOption(bob, h.joint, 'none').expect(303);
    const refused = await shared.read(`/accounts/${h.joint}/balances`);
    assert.equal(refused.status, 403);
    const [changed] = await auditEventsWhere({ action: 'sharing.option_changed', accountIds: h.joint });
    assert.deepEqual([changed?.details?.to, changed?.details?.connectionsEnded], ['none', 1]);
    assert.deepEqual(changed?.consentIds, [shared.consentId]);
    await testIndexer.runOnce();
    const history = await searchAuditEvents({ consentId: shared.consentId }, { limit: 100 });
    assert.ok(
      history.events.some((e) => e.action === 'sharing.option_changed'),
      "the change is in the ended consent's own history",
    );
    assert.deepEqual(
      (await withdrawalNotices(shared.consentId)).map((n) => n.Reason),
      ['joint_option_changed'],
      'the app is told why',
    );

    // Loosening: Bob asks, nothing changes until Alice agrees.
    await setOption(bob, h.joint, 'either').expect(303);
    assert.equal((await readSharing(h.joint, new Date())).state.option, 'none');
    const alice = await signedIn(h.alice);
    assert.match(
      textOf((await alice.agent.get('/my/sharing').expect(200)).text),
      /Bob Tester asked on .* It changes only if you agree/,
    );
    // Alice is told her connection lost the account, and why; and of Bob's change itself.
    const aliceNotices = textOf((await alice.agent.get('/my/notices').expect(200)).text);
    assert.match(
      aliceNotices,
      /Bob Tester changed how apps may see Joint account ending \d{4} on .*, so Budget Buddy no longer may\./,
    );
    assert.match(
      aliceNotices,
      /Bob Tester changed how apps may see Joint account ending \d{4} to “Do not share it with apps” on .*\. It applied at once\./,
    );
    // Agreeing: the confirmation says Alice is the last to agree, so it applies at once.
    const agree = textOf(
      (await post(alice, `/my/sharing/${h.joint}/option`, { option: 'either' }).expect(200)).text,
    );
    assert.match(
      agree,
      /Bob Tester asked for this on .*, and you are the last holder to agree: it applies as soon as you confirm\./,
    );
    assert.match(agree, /Yes, change it now/);
    await setOption(alice, h.joint, 'either').expect(303);
    assert.equal((await readSharing(h.joint, new Date())).state.option, 'either');
    assert.match(
      textOf((await bob.agent.get('/my/notices').expect(200)).text),
      /Every holder agreed: from .*, apps may see Joint account ending \d{4} as “Either of us may share it”\./,
    );
  });

  it('two holders acting at once (Alice forbids sharing, Bob stops the connection): the account leaves it exactly once', async () => {
    const h = await createJointHousehold();
    const shared = await connect(h.alice, [h.aliceOwn, h.joint]);
    const [alice, bob] = await Promise.all([signedIn(h.alice), signedIn(h.bob)]);
    const [forbid, stopped] = await Promise.all([
      setOption(alice, h.joint, 'none'),
      post(bob, `/my/shared/${shared.consentId}/${h.joint}/stop`),
    ]);
    assert.equal(forbid.status, 303, 'forbidding sharing always applies');
    assert.ok([303, 409].includes(stopped.status), `the stop is made or refused (${stopped.status})`);
    const stops = await auditEventsWhere({ consentId: shared.consentId, action: 'sharing.stopped' });
    const [changed] = await auditEventsWhere({ action: 'sharing.option_changed', accountIds: h.joint });
    assert.equal(
      stops.length + Number(changed?.details?.connectionsEnded),
      1,
      'ended by exactly one decision',
    );
    assert.equal(stops.length, stopped.status === 303 ? 1 : 0);
    assert.equal((await withdrawalNotices(shared.consentId)).length, 1, 'the app is told once');
    assert.equal((await shared.read(`/accounts/${h.joint}/balances`)).status, 403);
  });

  it('the same holder stopping twice at once: one stop, the other told it has stopped', async () => {
    const h = await createJointHousehold();
    const shared = await connect(h.alice, [h.aliceOwn, h.joint]);
    const bob = await signedIn(h.bob);
    const answers = await Promise.all([
      post(bob, `/my/shared/${shared.consentId}/${h.joint}/stop`),
      post(bob, `/my/shared/${shared.consentId}/${h.joint}/stop`),
    ]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [303, 409]);
    assert.equal(
      (await auditEventsWhere({ consentId: shared.consentId, action: 'sharing.stopped' })).length,
      1,
    );
  });

  it('approving and declining the same wait at once: decided in turn, each audited, the app seeing what was decided last', async () => {
    const h = await createJointHousehold();
    const bob = await signedIn(h.bob);
    await setOption(bob, h.joint, 'both').expect(303);
    const shared = await connect(h.alice, [h.aliceOwn, h.joint]);
    const [approved, declined] = await Promise.all([
      post(bob, `/my/shared/${shared.consentId}/${h.joint}/approve`),
      post(bob, `/my/shared/${shared.consentId}/${h.joint}/stop`),
    ]);
    const approvals = await auditEventsWhere({ consentId: shared.consentId, action: 'sharing.approved' });
    const stops = await auditEventsWhere({ consentId: shared.consentId, action: 'sharing.stopped' });
    assert.equal(declined.status, 303, 'a stop is made on a wait or on what the approval shared');
    assert.deepEqual([approvals.length, stops.length], [approved.status === 303 ? 1 : 0, 1]);
    // Declined first: nothing left to approve. Approved first: then stopped.
    const connection = (await readSharing(h.joint, new Date())).state.connections[0]!;
    assert.deepEqual(
      [approved.status, connection.state, connection.endReason],
      approvals.length ? [303, 'stopped', 'stopped'] : [409, 'stopped', 'declined'],
    );
    assert.equal((await shared.read(`/accounts/${h.joint}/balances`)).status, 403);
  });

  it('agreeing to a request while its maker withdraws it: exactly one outcome', async () => {
    const h = await createJointHousehold();
    const [alice, bob] = await Promise.all([signedIn(h.alice), signedIn(h.bob)]);
    await setOption(bob, h.joint, 'none').expect(303);
    await setOption(bob, h.joint, 'both').expect(303);
    const [agreed, withdrawn] = await Promise.all([
      setOption(alice, h.joint, 'both'),
      post(bob, `/my/sharing/${h.joint}/proposal/decline`),
    ]);
    const state = (await readSharing(h.joint, new Date())).state;
    const applied = await auditEventsWhere({ action: 'sharing.option_changed', accountIds: h.joint });
    const withdrawals = await auditEventsWhere({ action: 'sharing.proposal_withdrawn', accountIds: h.joint });
    if (state.option === 'both') {
      // Alice agreed first: the change applied, and there was nothing left to withdraw.
      assert.deepEqual([agreed.status, withdrawn.status, withdrawals.length], [303, 409, 0]);
      assert.equal(applied.length, 2);
    } else {
      // Bob withdrew first: Alice's answer is a new request of her own, waiting for Bob.
      assert.deepEqual([state.option, state.proposal?.proposedBy], ['none', h.alice.customerId]);
      assert.deepEqual(
        [agreed.status, withdrawn.status, withdrawals.length, applied.length],
        [303, 303, 1, 1],
      );
    }
  });

  it('two holders changing the option at once: both decisions are made in turn, each audited', async () => {
    const h = await createJointHousehold();
    const [alice, bob] = await Promise.all([signedIn(h.alice), signedIn(h.bob)]);
    const answers = await Promise.all([setOption(alice, h.joint, 'both'), setOption(bob, h.joint, 'both')]);
    assert.deepEqual(
      answers.map((a) => a.status).sort(),
      [303, 409],
      'one changes it, the other is told it already is',
    );
    const changes = await auditEventsWhere({ action: 'sharing.option_changed', accountIds: h.joint });
    assert.equal(changes.length, 1);
    assert.equal((await readSharing(h.joint, new Date())).state.option, 'both');
  });

  it("additional cardholder: shares only under the main cardholder's instruction, who sees and can stop it", async () => {
    const h = await createJointHousehold();
    const refused = await connect(h.bob, [h.card]);
    assert.equal(refused.flow.decided.status, 422);
    assert.match(
      textOf(refused.flow.screenHtml),
      /Alice Tester has not allowed additional cardholders to share it/,
    );

    const alice = await signedIn(h.alice);
    const confirm = textOf(
      (
        await post(alice, `/my/sharing/${h.card}/cardholders/${h.bob.customerId}`, { allowed: 'yes' }).expect(
          200,
        )
      ).text,
    );
    assert.match(confirm, /Bob Tester will be able to let apps see this card/);
    await post(alice, `/my/sharing/${h.card}/cardholders/${h.bob.customerId}`, {
      allowed: 'yes',
      confirmed: 'yes',
    }).expect(303);

    const shared = await connect(h.bob, [h.bobOwn, h.card]);
    const transactions = await shared.read(`/accounts/${h.card}/transactions`);
    assert.equal(transactions.status, 200);
    assertValidAgainstSpec('OBReadTransaction6', transactions.body);
    // The app is given Bob's own card number, never Alice's.
    const card = await shared.read(`/accounts/${h.card}`);
    assertValidAgainstSpec('OBReadAccount6', card.body);
    const [stored] = await findAccounts([h.card]);
    const bobsCard = stored!.cardholders!.find((c) => c.customerId === h.bob.customerId)!;
    assert.equal(card.body.Data.Account[0].Account[0].Identification, bobsCard.maskedPan);
    assert.notEqual(bobsCard.maskedPan, stored!.maskedPan);
    assert.match(
      textOf((await alice.agent.get('/my/apps').expect(200)).text),
      /Credit card ending \d{4}, shared by Bob Tester/,
    );

    await post(alice, `/my/sharing/${h.card}/cardholders/${h.bob.customerId}`, {
      allowed: 'no',
      confirmed: 'yes',
    }).expect(303);
    const after = await shared.read(`/accounts/${h.card}/transactions`);
    assert.equal(after.status, 403);
    const [denied] = await auditEventsWhere({ consentId: shared.consentId, action: 'data.denied' });
    assert.equal(denied?.reason, 'secondary_user_instruction_withdrawn');
    assert.equal((await shared.read(`/accounts/${h.bobOwn}/transactions`)).status, 200);
    const instruction = (
      await auditEventsWhere({ action: 'sharing.instruction_changed', accountIds: h.card })
    ).at(-1);
    assert.deepEqual(instruction?.holderIds, [h.alice.customerId, h.bob.customerId]);
    assert.deepEqual(instruction?.consentIds, [shared.consentId]);
    const history = await searchAuditEvents({ consentId: shared.consentId }, { limit: 100 });
    assert.ok(history.events.some((e) => e.action === 'sharing.instruction_changed'));
  });

  it('a holder cannot act on an account they do not hold, and bad input changes nothing', async () => {
    const h = await createJointHousehold();
    const other = await createJointHousehold();
    const alice = await signedIn(h.alice);
    await setOption(alice, other.joint, 'none').expect(404);
    await post(alice, `/my/sharing/${h.joint}/option`, { option: 'sometimes' }).expect(422);
    await post(alice, `/my/sharing/${h.card}/cardholders/${h.bob.customerId}`, { allowed: 'maybe' }).expect(
      400,
    );
    assert.equal((await readSharing(other.joint, new Date())).version, 0);
    assert.equal((await readSharing(h.joint, new Date())).version, 0);
  });
});
