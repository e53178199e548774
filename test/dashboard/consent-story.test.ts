import assert from 'node:assert/strict';
import { statusReasons, type ConsentStatus } from '../../src/consents/consent.js';
import { consentStory } from '../../src/dashboard/consent-story.js';

const story = (status: ConsentStatus, reason?: { StatusReasonCode: string }, more = {}) =>
  consentStory({
    status,
    reasonCode: reason?.StatusReasonCode,
    authorised: status !== 'AWAU' && reason !== statusReasons.rejectedByCustomer,
    appName: 'Budget Buddy',
    appSuspended: false,
    changedAt: '3 December 2026 at 14:05',
    expiresOn: '1 June 2027',
    ...more,
  });

describe('consent story: the words a customer reads for each state', () => {
  it('says "can see" only while the app can', () => {
    assert.deepEqual(
      [story('AUTH').dataHeading, story('AUTH').badge, story('AUTH').stage],
      ['Can see', 'Active', 'active'],
    );
    assert.match(story('AUTH').sentence, /can see this data until 1 June 2027/);
    for (const ended of [
      story('CANC', statusReasons.revokedByCustomer),
      story('EXPD', statusReasons.expired),
      story('CANC', statusReasons.revokedByApp),
    ]) {
      assert.equal(ended.stage, 'ended');
      assert.equal(ended.dataHeading, 'Could see');
      assert.doesNotMatch(ended.sentence, /can see|until 1 June/);
    }
  });

  it('says when each ending happened and who ended it', () => {
    const sentences = {
      revoked: story('CANC', statusReasons.revokedByCustomer).sentence,
      cancelledByApp: story('CANC', statusReasons.revokedByApp).sentence,
      byBank: story('CANC', statusReasons.revokedByBank).sentence,
      grant: story('CANC', statusReasons.grantRevoked).sentence,
      expired: story('EXPD', statusReasons.expired).sentence,
      declined: story('RJCT', statusReasons.rejectedByCustomer, { authorised: false }).sentence,
      lapsed: story('RJCT', statusReasons.authorisationTimedOut, { authorised: false }).sentence,
      withdrawnByApp: story('RJCT', statusReasons.revokedByApp, { authorised: false }).sentence,
      cancelledByBank: story('RJCT', statusReasons.revokedByBank, { authorised: false }).sentence,
    };
    assert.deepEqual(sentences, {
      revoked: 'You revoked access on 3 December 2026 at 14:05.',
      cancelledByApp: 'Budget Buddy cancelled this connection on 3 December 2026 at 14:05.',
      byBank: 'We ended this connection on 3 December 2026 at 14:05.',
      grant:
        'This connection ended on 3 December 2026 at 14:05: either Budget Buddy gave up its access, or a one-time key of its was used twice, which we treat as a security risk.',
      expired: 'This connection expired on 3 December 2026 at 14:05.',
      declined: 'You declined this request on 3 December 2026 at 14:05. Budget Buddy never saw your data.',
      lapsed: 'This request lapsed on 3 December 2026 at 14:05 because it was not approved within an hour.',
      withdrawnByApp:
        'Budget Buddy withdrew this request on 3 December 2026 at 14:05. Budget Buddy never saw your data.',
      cancelledByBank:
        'We cancelled this request on 3 December 2026 at 14:05. Budget Buddy never saw your data.',
    });
  });

  it('a request never approved "asked to see"; a pending one "wants to see" and can see nothing', () => {
    assert.equal(
      story('RJCT', statusReasons.rejectedByCustomer, { authorised: false }).dataHeading,
      'Asked to see',
    );
    const pending = story('AWAU');
    assert.deepEqual([pending.stage, pending.dataHeading], ['pending', 'Wants to see']);
    assert.match(pending.sentence, /can see nothing until you approve/);
  });

  it('an active connection to a suspended app says the app can see nothing for now', () => {
    const suspended = story('AUTH', undefined, { appSuspended: true });
    assert.equal(suspended.badge, 'Suspended by the bank');
    assert.match(suspended.sentence, /cannot see any of your data for now/);
  });
});
