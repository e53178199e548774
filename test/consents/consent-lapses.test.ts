import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { authoriseConsent } from '../../src/consents/consent-customer.service.js';
import { consentLapseSweeper } from '../../src/consents/consent-lapses.service.js';
import { readConsent } from '../../src/consents/consent.repository.js';
import { createConsent, type ConsentDeps } from '../../src/consents/consent.service.js';
import { createTestAuditLog } from '../helpers/app.js';
import { auditEventsWhere } from '../helpers/audit.js';

describe('consents that time ends, with nobody reading them', () => {
  // A clock of the test's own, ahead of the wall clock, so minutes pass at once; early in
  // its minute, as the sweeper starts no work in the last seconds of its lease.
  let clock = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 10 * 60_000 + 5_000);
  const told: { consentId: string; event: string }[] = [];
  const deps: ConsentDeps = {
    audit: createTestAuditLog(),
    maxDays: 365,
    now: () => clock,
    notifier: {
      consentEnded: async (consent, event) => void told.push({ consentId: consent._id, event }),
      accountWithdrawn: async () => {},
    },
  };
  const context = { requestId: 'lapse-test' };
  const sweeper = consentLapseSweeper(deps);
  after(() => sweeper.release());

  it('an authorised consent is recorded as expired, and its app told, by the sweep after its expiry', async () => {
    const consent = await createConsent(
      deps,
      `app-${randomUUID()}`,
      { Permissions: ['ReadAccountsBasic'], ExpirationDateTime: new Date(clock.getTime() + 90_000) },
      context,
    );
    await authoriseConsent(deps, `cus-${randomUUID()}`, consent._id, { accountIds: ['acc-1'] }, context);
    await sweeper.sweep();
    assert.equal((await readConsent(consent._id))?.status, 'AUTH', 'not before its time');

    clock = new Date(clock.getTime() + 2 * 60_000);
    await sweeper.sweep();
    const stored = await readConsent(consent._id);
    assert.equal(stored?.status, 'EXPD', 'recorded without anyone reading it');
    assert.deepEqual(told.at(-1), { consentId: consent._id, event: 'expired' });
    const expired = await auditEventsWhere({ consentId: consent._id, action: 'consent.expired' });
    assert.equal(expired[0]?.actor?.type, 'system');
  });

  it('a request nobody authorised within the hour is rejected by the sweep', async () => {
    const consent = await createConsent(
      deps,
      `app-${randomUUID()}`,
      { Permissions: ['ReadAccountsBasic'] },
      context,
    );
    clock = new Date(clock.getTime() + 62 * 60_000);
    await sweeper.sweep();
    const stored = await readConsent(consent._id);
    assert.equal(stored?.status, 'RJCT');
    assert.equal(stored?.statusReason?.StatusReasonCode, 'C003');
  });
});
