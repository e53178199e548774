import { holdersOf } from '../accounts/account-holders.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { listOfNames } from '../http/list-of-names.js';
import { stage, type Stage } from './sharing-state.js';
import { sharedAccountsOf, type SharedAccountView } from './sharing-views.service.js';

/** On the sharer's own connection page: each account's standing with the other holders. */
export async function standingOnConnection(
  deps: ConsentDeps,
  customerId: string,
  consent: { _id: string; status: string; accountsWithOtherHolders?: string[] | null },
): Promise<Record<string, { stage: Stage; sentence: string }>> {
  const ids = consent.accountsWithOtherHolders ?? [];
  // Once the consent has ended, the page says so, and no account's standing matters.
  if (ids.length === 0 || consent.status !== 'AUTH') return {};
  const now = deps.now?.() ?? new Date();
  const shared = (await sharedAccountsOf(customerId, now)).filter((v) => ids.includes(v.accountId));
  const out: Record<string, { stage: Stage; sentence: string }> = {};
  for (const view of shared) {
    const connection = view.state.connections.find((c) => c.consentId === consent._id);
    if (!connection) continue;
    const where = stage(connection, now);
    const waitingFor = listOfNames(
      holdersOf(view.account)
        .filter((id) => !connection.approvedBy.includes(id))
        .map((id) => view.names[id] ?? 'another holder'),
    );
    const by = connection.endedBy ? (view.names[connection.endedBy] ?? 'Another holder') : undefined;
    out[view.accountId] = {
      stage: where,
      sentence: {
        waiting: `Waiting for ${waitingFor} to approve. The app cannot see it until then.`,
        lapsed: `${waitingFor} did not approve in time, so the app cannot see it.`,
        shared: sharedSentence(view),
        stopped: {
          stopped: `${by ?? 'A holder'} stopped sharing it, so the app can no longer see it.`,
          declined: `${by ?? 'The other holder'} declined to share it, so the app cannot see it.`,
          option_changed: 'The holders no longer allow sharing it this way, so the app can no longer see it.',
          instruction_withdrawn:
            'The main cardholder no longer allows you to share it, so the app can no longer see it.',
        }[connection.endReason ?? 'stopped'],
      }[where],
    };
  }
  return out;
}

/** Who else sees the connection and can stop it: the other joint holders, or the main cardholder. */
function sharedSentence(view: SharedAccountView) {
  const stoppers =
    view.role === 'joint'
      ? view.others
      : view.role === 'additional_cardholder'
        ? view.others.filter((o) => o.customerId === view.mainHolderId)
        : [];
  return stoppers.length
    ? `Shared. ${listOfNames(stoppers.map((o) => o.name))} can see this connection and stop it.`
    : 'Shared.';
}
