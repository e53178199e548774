import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ConsentRecord } from '../../src/consents/consent.model.js';
import { ConsentModel, ConsentTransitionModel } from '../../src/consents/consent.model.js';
import {
  createConsent,
  deleteConsentByApp,
  getConsentForApp,
  settledConsent,
  type ConsentDeps,
} from '../../src/consents/consent.service.js';
import {
  authoriseConsent,
  listConsentsForCustomer,
  openConsentForCustomer,
  rejectConsent,
  revokeConsentByCustomer,
} from '../../src/consents/consent-customer.service.js';
import { readConsent } from '../../src/consents/consent.repository.js';
import { ServiceUnavailableError } from '../../src/errors.js';
import { createTestAuditLog } from '../helpers/app.js';
import { auditEventsWhere } from '../helpers/audit.js';

const context = { requestId: 'test', ip: '127.0.0.1' };

describe('consent service', () => {
  const ended: { id: string; event: string }[] = [];
  let clock = new Date();
  const deps: ConsentDeps = {
    audit: createTestAuditLog(),
    notifier: {
      consentEnded: async (consent, event) => void ended.push({ id: consent._id, event }),
      accountWithdrawn: async () => {},
    },
    maxDays: 365,
    now: () => clock,
  };
  const clientId = 'app-consent-tests';
  const request = { Permissions: ['ReadAccountsBasic' as const, 'ReadBalances' as const] };

  beforeEach(() => {
    clock = new Date();
  });

  it('creates a pending consent owned by its app, audited, expiring at the longest allowed by default', async () => {
    const consent = await createConsent(deps, clientId, request, context);
    assert.equal(consent.status, 'AWAU');
    assert.match(consent._id, /^aac-[0-9a-f-]{36}$/);
    assert.ok(Math.abs(consent.expirationDateTime.getTime() - (clock.getTime() + 365 * 86_400_000)) < 1000);
    const events = await auditEventsWhere({ consentId: consent._id });
    assert.deepEqual(
      events.map((e) => e.action),
      ['consent.created'],
    );
    await assert.rejects(getConsentForApp(deps, 'another-app', consent._id), { status: 404 });
  });

  it("lists each of a customer's consents once, however many were opened and however many at once", async () => {
    const customerId = `cus-${randomUUID()}`;
    const open = async () => {
      const consent = await createConsent(deps, clientId, request, context);
      await openConsentForCustomer(deps, customerId, consent._id);
      return consent._id;
    };
    const opened = [await open(), await open()];
    opened.push(...(await Promise.all(Array.from({ length: 30 }, open))));
    for (let i = 0; i < 5; i++) opened.push(await open());
    const listed = (await listConsentsForCustomer(deps, customerId)).map((c) => c._id);
    assert.deepEqual([...listed].sort(), [...opened].sort());
  });

  it('authorises once: the second approval, and a racing one, get a conflict', async () => {
    const consent = await createConsent(deps, clientId, request, context);
    const results = await Promise.allSettled([
      authoriseConsent(deps, 'cus-a', consent._id, { accountIds: ['acc-1'] }, context),
      authoriseConsent(deps, 'cus-a', consent._id, { accountIds: ['acc-2'] }, context),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(loser.reason.status, 409);
    assert.match(loser.reason.message, /The consent is AUTH|Another decision on this consent/);
    const stored = await readConsent(consent._id);
    assert.equal(stored?.status, 'AUTH');
    assert.equal(stored?.version, 1);
    await assert.rejects(authoriseConsent(deps, 'cus-a', consent._id, { accountIds: ['acc-1'] }, context), {
      status: 409,
    });
  });

  it('lets only the customer who opened a consent decide it', async () => {
    const consent = await createConsent(deps, clientId, request, context);
    await openConsentForCustomer(deps, 'cus-owner', consent._id);
    await assert.rejects(
      authoriseConsent(deps, 'cus-intruder', consent._id, { accountIds: ['x'] }, context),
      { status: 403 },
    );
    await assert.rejects(rejectConsent(deps, 'cus-intruder', consent._id, context), { status: 403 });
    const rejected = await rejectConsent(deps, 'cus-owner', consent._id, context);
    assert.equal(rejected.status, 'RJCT');
  });

  it('rejects a consent not authorised within an hour, when next touched', async () => {
    const consent = await createConsent(deps, clientId, request, context);
    clock = new Date(clock.getTime() + 61 * 60_000);
    const settled = await getConsentForApp(deps, clientId, consent._id);
    assert.equal(settled.status, 'RJCT');
    assert.equal(settled.statusReason?.StatusReasonCode, 'C003');
    await assert.rejects(authoriseConsent(deps, 'cus-late', consent._id, { accountIds: ['a'] }, context), {
      status: 409,
    });
  });

  it('expires an authorised consent at its expiry, announces it and records it', async () => {
    const consent = await createConsent(
      deps,
      clientId,
      { ...request, ExpirationDateTime: new Date(clock.getTime() + 86_400_000) },
      context,
    );
    await authoriseConsent(deps, 'cus-exp', consent._id, { accountIds: ['a'] }, context);
    clock = new Date(clock.getTime() + 2 * 86_400_000);
    const settled = (await settledConsent(deps, consent._id)) as ConsentRecord;
    assert.equal(settled.status, 'EXPD');
    assert.deepEqual(ended.at(-1), { id: consent._id, event: 'expired' });
    const actions = (await auditEventsWhere({ consentId: consent._id })).map((e) => e.action);
    assert.deepEqual(actions, ['consent.created', 'consent.authorised', 'consent.expired']);
  });

  it('never serves a lapsed consent as authorised: if its expiry cannot be recorded, reading it fails', async () => {
    const consent = await createConsent(
      deps,
      clientId,
      { ...request, ExpirationDateTime: new Date(clock.getTime() + 86_400_000) },
      context,
    );
    await authoriseConsent(deps, 'cus-lapse', consent._id, { accountIds: ['a'] }, context);
    clock = new Date(clock.getTime() + 2 * 86_400_000);
    const failing: ConsentDeps = {
      ...deps,
      audit: { ...deps.audit, record: async () => Promise.reject(new ServiceUnavailableError('audit down')) },
    };
    await assert.rejects(settledConsent(failing, consent._id), { status: 503 });
    assert.equal((await settledConsent(deps, consent._id))?.status, 'EXPD');
  });

  it('revokes: by the customer, or deleted by the app; both announced', async () => {
    const first = await createConsent(deps, clientId, request, context);
    await authoriseConsent(deps, 'cus-rev', first._id, { accountIds: ['a'] }, context);
    await assert.rejects(revokeConsentByCustomer(deps, 'cus-other', first._id, context), { status: 404 });
    assert.equal((await revokeConsentByCustomer(deps, 'cus-rev', first._id, context)).status, 'CANC');
    assert.deepEqual(ended.at(-1), { id: first._id, event: 'revoked' });

    const second = await createConsent(deps, clientId, request, context);
    await authoriseConsent(deps, 'cus-rev', second._id, { accountIds: ['a'] }, context);
    assert.equal((await deleteConsentByApp(deps, clientId, second._id, context)).status, 'CANC');
    assert.equal(
      (await deleteConsentByApp(deps, clientId, second._id, context)).status,
      'CANC',
      'deleting again changes nothing',
    );

    const listed = await listConsentsForCustomer(deps, 'cus-rev');
    assert.deepEqual(listed.map((c) => c._id).sort(), [first._id, second._id].sort());
  });

  it('when the audit event cannot be written, changes nothing and answers 503; the consent can still be decided', async () => {
    const consent = await createConsent(deps, clientId, request, context);
    const failing: ConsentDeps = {
      ...deps,
      audit: { ...deps.audit, record: async () => Promise.reject(new ServiceUnavailableError('audit down')) },
    };
    await assert.rejects(authoriseConsent(failing, 'cus-f', consent._id, { accountIds: ['a'] }, context), {
      status: 503,
    });
    assert.equal((await readConsent(consent._id))?.status, 'AWAU');
    assert.equal((await ConsentTransitionModel.findById(`${consent._id}#1`).lean())?.state, 'abandoned');
    assert.equal(
      (await authoriseConsent(deps, 'cus-f', consent._id, { accountIds: ['a'] }, context)).status,
      'AUTH',
    );
    assert.equal((await readConsent(consent._id))?.version, 2);
  });

  it('settles a change whose writer died between claiming and recording it, from the audit log', async () => {
    const consent = await createConsent(deps, clientId, request, context);
    const stuck = {
      consentId: consent._id,
      version: 1,
      from: 'AWAU',
      to: 'AUTH',
      reason: { StatusReasonCode: 'C001', StatusReasonDescription: 'x' },
      at: new Date(Date.now() - 60_000),
      actor: { type: 'customer', id: 'cus-s' },
      set: { customerId: 'cus-s', accountIds: ['a'] },
      state: 'claimed' as const,
    };
    await ConsentTransitionModel.create({ _id: `${consent._id}#1`, ...stuck });
    assert.equal((await readConsent(consent._id))?.status, 'AWAU', 'never recorded, so it did not happen');
    assert.equal((await ConsentTransitionModel.findById(`${consent._id}#1`).lean())?.state, 'abandoned');

    const recorded = await createConsent(deps, clientId, request, context);
    await ConsentTransitionModel.create({ _id: `${recorded._id}#1`, ...stuck, consentId: recorded._id });
    await deps.audit.record({
      action: 'consent.authorised',
      actor: { type: 'customer', id: 'cus-s' },
      outcome: 'success',
      consentId: recorded._id,
      details: { transition: `${recorded._id}#1` },
    });
    assert.equal((await readConsent(recorded._id))?.status, 'AUTH', 'recorded, so it happened');
  });

  it('applies a decided change whose consent document was never updated (a writer that crashed)', async () => {
    const consent = await createConsent(deps, clientId, request, context);
    await authoriseConsent(deps, `cus-${randomUUID()}`, consent._id, { accountIds: ['a'] }, context);
    // Put the consent document back as it was before the update, leaving the decided transition.
    await ConsentModel.updateOne({ _id: consent._id }, { $set: { status: 'AWAU', version: 0 } });
    assert.ok(await ConsentTransitionModel.exists({ _id: `${consent._id}#1` }));
    const read = await readConsent(consent._id);
    assert.equal(read?.status, 'AUTH');
    assert.equal((await ConsentModel.findById(consent._id).lean())?.status, 'AUTH', 'and writes it back');
  });
});
