import { changeOutcome, readConsent } from '../consents/consent.repository.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { sharingChangeOutcome } from '../sharing/sharing.repository.js';
import { findFollowUp, followUpDone, owedFollowUps, type FollowUp } from './follow-up.repository.js';

type FollowUpDeps = Pick<ConsentDeps, 'notifier' | 'logger' | 'now'>;

/**
 * Carries out a follow-up once the change that owes it has taken effect: the consent's
 * ending (grant destroyed, app told), or telling an app that an account left its connection
 * (only while the consent is authorised and still names the account: an ended consent's app
 * was told already), through `deps.notifier`; then the follow-up is removed. A change that
 * was abandoned owes nothing; one still being recorded is left for the next round. Never
 * throws: the change already happened, so its user is never told it failed; a follow-up
 * that fails stays owed and the worker tries it again.
 */
export async function carryOutFollowUp(deps: FollowUpDeps, followUp: FollowUp): Promise<'done' | 'owed'> {
  try {
    const now = deps.now?.() ?? new Date();
    const outcome =
      followUp.kind === 'consent-ended'
        ? await changeOutcome(followUp.changeId, now)
        : await sharingChangeOutcome(followUp.changeId, now);
    if (outcome === 'undecided') return 'owed';
    if (outcome === 'audited' && followUp.kind === 'consent-ended') {
      const consent = await readConsent(followUp.consentId, now);
      if (consent) await deps.notifier.consentEnded(consent, followUp.event, followUp._id);
    }
    if (outcome === 'audited' && followUp.kind === 'account-withdrawn') {
      const consent = await readConsent(followUp.consentId, now);
      if (consent?.status === 'AUTH' && consent.accountIds?.includes(followUp.accountId))
        await deps.notifier.accountWithdrawn(followUp, followUp._id);
    }
    await followUpDone(followUp._id);
    return 'done';
  } catch (err) {
    deps.logger?.warn(
      { err, followUp: followUp._id },
      'a follow-up could not be carried out yet; it stays owed',
    );
    return 'owed';
  }
}

/**
 * The worker's round: every follow-up still owed (its change's process died, or its first
 * try failed), oldest first. Safe in every process at once: carrying one out twice
 * destroys an already destroyed grant and queues a notice whose id is already queued.
 */
export async function carryOutOwedFollowUps(deps: FollowUpDeps, limit = 100): Promise<number> {
  let done = 0;
  for (const followUp of await owedFollowUps(limit)) {
    // Another process may have finished it since the list was read.
    if (!(await findFollowUp(followUp._id))) continue;
    if ((await carryOutFollowUp(deps, followUp)) === 'done') done += 1;
  }
  return done;
}
