import { settledConsent, type ConsentDeps } from './consent.service.js';
import {
  consentsDueIn,
  forgetMinute,
  markSweptThrough,
  minuteOf,
  sweeperLease,
  sweptThrough,
} from './lapse-schedule.repository.js';

/**
 * Applies what time forces on consents nobody is looking at: a consent is scheduled for
 * the minute its authorisation window closes and the minute it expires, and the sweeper
 * (one process at a time, every few seconds) settles the consents of each minute that has
 * begun, so the expiry is recorded and its app told within seconds of it, read or not.
 * A minute is forgotten once it has passed and been swept.
 */
export function consentLapseSweeper(deps: ConsentDeps) {
  const now = () => deps.now?.() ?? new Date();
  const lease = sweeperLease(() => now().getTime());

  /** Settles the consents of every minute begun since the last sweep; resolves how many it looked at. */
  async function sweep(): Promise<number> {
    if (!(await lease.hold())) return 0;
    const current = minuteOf(now());
    const last = await sweptThrough();
    // The first sweep of a database starts here (consents due before were settled when read).
    if (last === undefined) await markSweptThrough(current - 1);
    const from = last ?? current - 1;
    let looked = 0;
    for (let minute = from + 1; minute <= current && lease.roomLeft(); minute++) {
      for (const consentId of await consentsDueIn(minute)) {
        // Settling records the lapse if it is due (audited, its follow-ups owed); otherwise nothing.
        await settledConsent(deps, consentId);
        looked += 1;
      }
      if (minute < current) {
        await forgetMinute(minute);
        await markSweptThrough(minute);
      }
    }
    return looked;
  }

  return { sweep, release: () => lease.release() };
}
