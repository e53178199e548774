import { findApp } from '../apps/app.service.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { dayInWords, timeInWords } from '../http/time-words.js';
import { optionTitles } from './option-words.js';
import { othersConnections, sharedAccountsOf } from './sharing-views.service.js';

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
 * holder stopped one she shared, a holder asks to loosen the disclosure option.
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
  }
  for (const view of shared) {
    for (const c of view.state.connections) {
      if (c.sharedBy !== customerId || c.state !== 'stopped' || !c.endedBy || c.endedBy === customerId)
        continue;
      const app = await findApp(c.clientId);
      notices.push({
        at: c.endedAt!,
        sentence: `${view.names[c.endedBy] ?? 'Another holder'} ${c.endReason === 'declined' ? 'declined to share' : 'stopped sharing'} ${view.label} with ${app?.name ?? 'an app'} on ${timeInWords(c.endedAt!, timeZone)}. It can no longer see that account; your other accounts are shared as you chose.`,
        href: `/my/apps/${c.consentId}`,
        linkText: 'See this connection',
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
