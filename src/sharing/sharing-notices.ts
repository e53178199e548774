import { findApp } from '../apps/app.service.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { dayInWords, timeInWords } from '../http/time-words.js';
import { optionTitles } from './option-words.js';
import { strictness } from './sharing-rules.js';
import type { SharedConnection } from './sharing-state.js';
import { othersConnections, sharedAccountsOf, type SharedAccountView } from './sharing-views.service.js';

export interface SharingNotice {
  at: Date;
  sentence: string;
  /** Where the customer acts on it. */
  href: string;
  linkText: string;
}

/**
 * What a customer should know about accounts held with others, worked out from their
 * sharing state each time she looks: another holder shared one (or asks her approval), a
 * connection with one ended and who or what ended it, another holder changed the
 * disclosure option or asks to loosen it. Nobody is told of what they did themselves.
 */
export async function sharingNoticesFor(deps: ConsentDeps, customerId: string, timeZone: string) {
  const now = deps.now?.() ?? new Date();
  const shared = await sharedAccountsOf(customerId, now);
  const notices: SharingNotice[] = [];
  const toApps = { href: '/my/apps', linkText: 'See your connected apps' };
  for (const c of await othersConnections(deps, customerId, shared)) {
    if (c.stage === 'waiting' && c.canApprove)
      notices.push({
        at: c.connection.at,
        sentence: `${c.sharedByName} wants to share ${c.accountLabel} with ${c.appName}. ${c.appName} cannot see it unless you approve by ${dayInWords(c.connection.approveBy!, timeZone)}.`,
        ...toApps,
      });
    else if (c.stage === 'waiting' || c.stage === 'shared')
      notices.push({
        at: c.connection.at,
        sentence: `${c.sharedByName} shared ${c.accountLabel} with ${c.appName} on ${timeInWords(c.connection.at, timeZone)}. You can stop it at any time.`,
        ...toApps,
      });
    else if (c.stage === 'ended' && c.connection.state !== 'stopped' && c.connectionEndedAt)
      notices.push({
        at: c.connectionEndedAt,
        sentence: `The connection ${c.sharedByName} made between ${c.accountLabel} and ${c.appName} ended on ${timeInWords(c.connectionEndedAt, timeZone)}. ${c.appName} cannot see it.`,
        href: '/my/apps?tab=ended',
        linkText: 'See ended connections',
      });
    else if (c.connection.state === 'stopped' && stoppedBySomeoneElse(c.connection, customerId))
      notices.push({
        at: c.connection.endedAt!,
        sentence: `${c.endedByName ?? 'Another holder'} ${c.connection.endReason === 'declined' ? 'declined to share' : 'stopped sharing'} ${c.accountLabel} with ${c.appName} (connected by ${c.sharedByName}) on ${timeInWords(c.connection.endedAt!, timeZone)}.`,
        href: '/my/apps?tab=ended',
        linkText: 'See ended connections',
      });
  }
  for (const view of shared) {
    for (const c of view.state.connections) {
      if (c.sharedBy !== customerId || c.state !== 'stopped' || c.endedBy === customerId) continue;
      const app = await findApp(c.clientId);
      notices.push({
        at: c.endedAt!,
        sentence: endedOnYourConnection(view, c, app?.name ?? 'an app', timeZone),
        href: `/my/apps/${c.consentId}`,
        linkText: 'See this connection',
      });
    }
    const changed = view.state.optionChanged;
    if (changed && changed.by !== customerId) {
      const looser = strictness[view.state.option] < strictness[changed.from];
      const title = optionTitles[view.state.option];
      notices.push({
        at: changed.at,
        sentence: looser
          ? `Every holder agreed: from ${timeInWords(changed.at, timeZone)}, apps may see ${view.label} as “${title}”.`
          : `${view.names[changed.by] ?? 'Another holder'} changed how apps may see ${view.label} to “${title}” on ${timeInWords(changed.at, timeZone)}. It applied at once.`,
        href: '/my/sharing',
        linkText: 'See how your accounts are shared',
      });
    }
    const proposal = view.proposal;
    if (proposal && !proposal.agreedBy.includes(customerId))
      notices.push({
        at: proposal.at,
        sentence: `${view.names[proposal.proposedBy] ?? 'Another holder'} asked to change how apps may see ${view.label} to “${optionTitles[proposal.option]}”. It changes only if you agree by ${dayInWords(proposal.agreeBy, timeZone)}.`,
        href: '/my/sharing',
        linkText: 'Agree or decline',
      });
  }
  return notices;
}

/** A connection other than hers, stopped by a third person (she is told only of what others did). */
const stoppedBySomeoneElse = (c: SharedConnection, customerId: string) =>
  (c.endReason === 'stopped' || c.endReason === 'declined') &&
  c.endedBy !== undefined &&
  c.endedBy !== customerId;

/** Told to the customer who shared the account: who or what took it off her connection. */
function endedOnYourConnection(
  view: SharedAccountView,
  c: SharedConnection,
  appName: string,
  timeZone: string,
) {
  const who = c.endedBy ? (view.names[c.endedBy] ?? 'Another holder') : 'Another holder';
  const when = timeInWords(c.endedAt!, timeZone);
  const rest = 'It can no longer see that account; your other accounts are shared as you chose.';
  switch (c.endReason) {
    case 'declined':
      return `${who} declined to share ${view.label} with ${appName} on ${when}. ${rest}`;
    case 'option_changed':
      return `${c.endedBy ? who : 'The holders'} changed how apps may see ${view.label} on ${when}, so ${appName} no longer may. ${rest}`;
    case 'instruction_withdrawn':
      return `${c.endedBy ? who : 'The main cardholder'} no longer allows you to share ${view.label}, since ${when}. ${appName} can no longer see it.`;
    default:
      return `${who} stopped sharing ${view.label} with ${appName} on ${when}. ${rest}`;
  }
}
