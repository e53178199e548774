import type { ConsentStatus } from '../consents/consent.js';
import { statusReasons } from '../consents/consent.js';

/**
 * What a consent means to its customer right now, in words that are true for its state:
 * an app "can see" only while it can; an ended connection says when it ended and who ended
 * it; a request never approved says it was never approved. Pure: the page supplies names
 * and the date formatting.
 */
export type ConsentStage = 'active' | 'pending' | 'ended';

export interface ConsentStory {
  stage: ConsentStage;
  /** A word or two for the status badge. */
  badge: string;
  /** Heads the list of data: "Can see", "Wants to see", "Could see", "Asked to see". */
  dataHeading: string;
  /** Heads the list of accounts. */
  accountsHeading: string;
  /** One sentence on how it stands, with its date: "You revoked access on 3 December 2026 at 14:05." */
  sentence: string;
}

interface StoryInput {
  status: ConsentStatus;
  reasonCode: string | undefined;
  authorised: boolean;
  appName: string;
  appSuspended: boolean;
  /** Formatted by the caller in the customer's time zone. */
  changedAt: string;
  expiresOn: string;
}

const codes = {
  rejectedByCustomer: statusReasons.rejectedByCustomer.StatusReasonCode,
  timedOut: statusReasons.authorisationTimedOut.StatusReasonCode,
  byCustomer: statusReasons.revokedByCustomer.StatusReasonCode,
  byApp: statusReasons.revokedByApp.StatusReasonCode,
  byBank: statusReasons.revokedByBank.StatusReasonCode,
  grantRevoked: statusReasons.grantRevoked.StatusReasonCode,
};

export function consentStory(c: StoryInput): ConsentStory {
  if (c.status === 'AUTH') {
    if (c.appSuspended) {
      return {
        stage: 'active',
        badge: 'Suspended by the bank',
        dataHeading: 'Allowed to see, once the suspension ends',
        accountsHeading: 'Accounts shared',
        sentence: `We have suspended ${c.appName}, so it cannot see any of your data for now. Your connection stays in place until ${c.expiresOn} unless you revoke it.`,
      };
    }
    return {
      stage: 'active',
      badge: 'Active',
      dataHeading: 'Can see',
      accountsHeading: 'Accounts shared',
      sentence: `${c.appName} can see this data until ${c.expiresOn}, unless you revoke access sooner.`,
    };
  }
  if (c.status === 'AWAU') {
    return {
      stage: 'pending',
      badge: 'Waiting for your decision',
      dataHeading: 'Wants to see',
      accountsHeading: 'Accounts',
      sentence: `${c.appName} asked to see this data and is waiting for you to approve or decline. It can see nothing until you approve.`,
    };
  }
  const ended = (badge: string, sentence: string): ConsentStory => ({
    stage: 'ended',
    badge,
    dataHeading: c.authorised ? 'Could see' : 'Asked to see',
    // The accounts on the consent when it ended: any taken out before are in its history.
    accountsHeading: c.authorised ? 'Accounts it could see when access ended' : 'Accounts',
    sentence,
  });
  if (c.status === 'EXPD') return ended('Expired', `This connection expired on ${c.changedAt}.`);
  if (c.status === 'RJCT') {
    const never = `${c.appName} never saw your data.`;
    if (c.reasonCode === codes.rejectedByCustomer)
      return ended('Declined', `You declined this request on ${c.changedAt}. ${never}`);
    if (c.reasonCode === codes.timedOut)
      return ended(
        'Not completed',
        `This request lapsed on ${c.changedAt} because it was not approved within an hour.`,
      );
    if (c.reasonCode === codes.byApp)
      return ended('Withdrawn by the app', `${c.appName} withdrew this request on ${c.changedAt}. ${never}`);
    if (c.reasonCode === codes.byBank)
      return ended('Cancelled by the bank', `We cancelled this request on ${c.changedAt}. ${never}`);
    return ended('Not approved', `This request ended on ${c.changedAt} without being approved. ${never}`);
  }
  // CANC: ended by someone after it was authorised.
  if (c.reasonCode === codes.byApp)
    return ended('Cancelled by the app', `${c.appName} cancelled this connection on ${c.changedAt}.`);
  if (c.reasonCode === codes.byBank)
    return ended('Ended by the bank', `We ended this connection on ${c.changedAt}.`);
  if (c.reasonCode === codes.grantRevoked)
    return ended(
      'Ended',
      `This connection ended on ${c.changedAt}: either ${c.appName} gave up its access, or a one-time key of its was used twice, which we treat as a security risk.`,
    );
  if (c.reasonCode === codes.byCustomer) return ended('Revoked', `You revoked access on ${c.changedAt}.`);
  return ended('Ended', `This connection ended on ${c.changedAt}.`);
}
