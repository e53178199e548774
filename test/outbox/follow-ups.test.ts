import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { authoriseConsent, revokeConsentByCustomer } from '../../src/consents/consent-customer.service.js';
import { compareAndSetStatus, readConsent } from '../../src/consents/consent.repository.js';
import { statusReasons } from '../../src/consents/consent.js';
import { createConsent, type ConsentDeps } from '../../src/consents/consent.service.js';
import { ServiceUnavailableError } from '../../src/errors.js';
import { findFollowUp, recordFollowUp } from '../../src/outbox/follow-up.repository.js';
import { carryOutOwedFollowUps } from '../../src/outbox/follow-ups.js';
import { recordChoices, stopConnection } from '../../src/sharing/sharing.service.js';
import { createTestAuditLog } from '../helpers/app.js';
import { createJointHousehold } from '../helpers/factories.js';
import { auditEventsWhere } from '../helpers/audit.js';

const context = { requestId: 'follow-up-test', ip: '127.0.0.1' };
const request = { Permissions: ['ReadAccountsBasic' as const] };

/** Consent services whose endings are recorded here, and can be made to fail. */
function depsWithEndings() {
  const ended: { consentId: string; event: string; followUpId: string }[] = [];
  const withdrawn: { consentId: string; accountId: string; reason: string; followUpId: string }[] = [];
  const state = { failing: false };
  const deps: ConsentDeps = {
    audit: createTestAuditLog(),
    maxDays: 365,
    notifier: {
      async consentEnded(consent, event, followUpId) {
        if (state.failing) throw new Error('the app could not be told (network down)');
        ended.push({ consentId: consent._id, event, followUpId });
      },
      async accountWithdrawn({ consentId, accountId, reason }, followUpId) {
        if (state.failing) throw new Error('the app could not be told (network down)');
        withdrawn.push({ consentId, accountId, reason, followUpId });
      },
    },
  };
  return { deps, ended, withdrawn, state };
}

async function authorisedConsent(deps: ConsentDeps) {
  const customerId = `cus-${randomUUID()}`;
  const consent = await createConsent(deps, `app-${randomUUID()}`, request, context);
  await authoriseConsent(deps, customerId, consent._id, { accountIds: ['acc-1'] }, context);
  return { consentId: consent._id, customerId };
}

describe('follow-ups of a change go through the outbox', () => {
  it('when carrying out the ending fails, the revoke still succeeds for the customer, and the worker completes it later', async () => {
    const { deps, ended, state } = depsWithEndings();
    const { consentId, customerId } = await authorisedConsent(deps);
    state.failing = true;
    const revoked = await revokeConsentByCustomer(deps, customerId, consentId, context);
    assert.equal(revoked.status, 'CANC', 'the customer is told the truth: it is revoked');
    assert.equal((await readConsent(consentId))?.status, 'CANC');
    assert.ok(await findFollowUp(`${consentId}#2#ended`), 'what it owes is kept');
    assert.equal(ended.length, 0);

    state.failing = false;
    await carryOutOwedFollowUps(deps);
    assert.deepEqual(ended, [{ consentId, event: 'revoked', followUpId: `${consentId}#2#ended` }]);
    assert.equal(await findFollowUp(`${consentId}#2#ended`), undefined, 'and then forgotten');
    await carryOutOwedFollowUps(deps);
    assert.equal(ended.length, 1, 'carried out once');
  });

  it('a process that stops right after the change leaves its follow-up owed, and another process carries it out', async () => {
    const { deps, ended } = depsWithEndings();
    const { consentId } = await authorisedConsent(deps);
    const consent = (await readConsent(consentId))!;
    // What a process killed between committing the change and carrying out its follow-up
    // leaves behind: the follow-up recorded, the change committed, nothing else done.
    await compareAndSetStatus(
      {
        consent,
        to: 'CANC',
        reason: statusReasons.revokedByApp,
        actor: { type: 'app', id: consent.clientId },
        at: new Date(),
      },
      async (changeId) => {
        await recordFollowUp({
          _id: `${changeId}#ended`,
          kind: 'consent-ended',
          changeId,
          consentId,
          event: 'revoked',
          createdAt: new Date(),
        });
        return deps.audit.record({
          action: 'consent.revoked',
          actor: { type: 'app', id: consent.clientId },
          outcome: 'success',
          consentId,
          details: { transition: changeId },
        });
      },
    );
    assert.equal(ended.length, 0, 'the dead process told nobody');
    await carryOutOwedFollowUps(deps);
    assert.deepEqual(
      ended.map((e) => [e.consentId, e.event]),
      [[consentId, 'revoked']],
    );
  });

  it('a change that could not be recorded owes nothing: its follow-up is dropped, and nobody is told', async () => {
    const { deps, ended } = depsWithEndings();
    const { consentId, customerId } = await authorisedConsent(deps);
    const failing: ConsentDeps = {
      ...deps,
      audit: { ...deps.audit, record: async () => Promise.reject(new ServiceUnavailableError('audit down')) },
    };
    await assert.rejects(revokeConsentByCustomer(failing, customerId, consentId, context), { status: 503 });
    assert.equal((await readConsent(consentId))?.status, 'AUTH');
    await carryOutOwedFollowUps(deps);
    assert.equal(ended.length, 0);
    assert.equal(await findFollowUp(`${consentId}#2#ended`), undefined);
    const revocations = await auditEventsWhere({ consentId, action: 'consent.revoked' });
    assert.equal(revocations.length, 0);
  });

  it('an account a holder takes off a connection: the stop succeeds while the app cannot be told, and the worker tells it later', async () => {
    const { deps, withdrawn, state } = depsWithEndings();
    const h = await createJointHousehold(2);
    const connection = await createConsent(deps, `app-${randomUUID()}`, request, context);
    const choice = { accountIds: [h.aliceOwn, h.joint], customerId: h.alice.customerId! };
    const accountsWithOtherHolders = await recordChoices(deps, {
      ...choice,
      consentId: connection._id,
      clientId: connection.clientId,
      context,
    });
    await authoriseConsent(
      deps,
      choice.customerId,
      connection._id,
      { accountIds: choice.accountIds, accountsWithOtherHolders },
      context,
    );
    state.failing = true;
    const after = await stopConnection(
      deps,
      { customerId: h.bob.customerId!, accountId: h.joint, context },
      connection,
    );
    assert.equal(after.connections[0]?.state, 'stopped', 'Bob is told the truth: it stopped');
    assert.equal(withdrawn.length, 0);

    state.failing = false;
    await carryOutOwedFollowUps(deps);
    assert.deepEqual(
      withdrawn.map((w) => [w.consentId, w.accountId, w.reason]),
      [[connection._id, h.joint, 'sharing_stopped_by_holder']],
    );
    await carryOutOwedFollowUps(deps);
    assert.equal(withdrawn.length, 1, 'told once');
  });

  it('an account taken off a connection whose consent has ended: its app, told of the ending, is not told again', async () => {
    const { deps, withdrawn } = depsWithEndings();
    const h = await createJointHousehold(2);
    const connection = await createConsent(deps, `app-${randomUUID()}`, request, context);
    const accountIds = [h.aliceOwn, h.joint];
    const customerId = h.alice.customerId!;
    const accountsWithOtherHolders = await recordChoices(deps, {
      customerId,
      accountIds,
      consentId: connection._id,
      clientId: connection.clientId,
      context,
    });
    await authoriseConsent(
      deps,
      customerId,
      connection._id,
      { accountIds, accountsWithOtherHolders },
      context,
    );
    await revokeConsentByCustomer(deps, customerId, connection._id, context);
    await stopConnection(deps, { customerId: h.bob.customerId!, accountId: h.joint, context }, connection);
    await carryOutOwedFollowUps(deps);
    assert.deepEqual(withdrawn, []);
  });
});
