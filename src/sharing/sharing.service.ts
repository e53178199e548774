import { hasOtherPeople } from '../accounts/account-holders.js';
import { findAccounts } from '../accounts/account.repository.js';
import { ConflictError } from '../errors.js';
import type { RequestContext } from '../http/request-context.js';
import { decide, now, type Acting, type SharingDeps } from './sharing-decision.js';
import {
  approve,
  changeOption,
  choose,
  declineProposal,
  setInstruction,
  shareability,
  stop,
} from './sharing-rules.js';
import { accessOf, refusalMessages, type DisclosureOption } from './sharing-state.js';
import { readSharings } from './sharing.repository.js';

/**
 * The decisions holders make about sharing an account that is not theirs alone. Each is one
 * audited change of the account's sharing state (sharing-rules.ts says what is allowed),
 * naming every holder in its audit event. When two holders act at once, one change wins and
 * the other is decided again on what the first left: it either still makes sense (and is
 * made) or is refused with the reason. When a change takes the account off connections,
 * each app is told through the outbox, as a consent's ending is (consent.service.ts).
 */

/**
 * On the consent screen, before the consent is authorised: each chosen account that is not
 * the customer's alone goes on the connection, shared at once or waiting for the other
 * holders. Resolves the ids of those accounts (served only while their sharing allows).
 */
export async function recordChoices(
  deps: SharingDeps,
  choice: {
    customerId: string;
    consentId: string;
    clientId: string;
    accountIds: string[];
    context: RequestContext;
  },
): Promise<string[]> {
  const accounts = (await findAccounts(choice.accountIds)).filter(hasOtherPeople);
  // All or nothing, as far as can be known before writing: if another holder has just made
  // one of them unshareable, none is recorded and the customer is asked again. One already
  // on this connection (an earlier attempt refused after it) is not recorded twice.
  const sharings = await readSharings(
    accounts.map((a) => a._id),
    now(deps),
  );
  for (const [i, account] of accounts.entries()) {
    const can = shareability(sharings[i]!.state, account, choice.customerId);
    if (!can.allowed) throw new ConflictError(refusalMessages[can.reason]!, can.reason);
  }
  const toRecord = accounts.filter(
    (_, i) => !sharings[i]!.state.connections.some((c) => c.consentId === choice.consentId),
  );
  for (const account of toRecord) {
    await decide(deps, { ...choice, accountId: account._id }, (state, held, at) => {
      const next = choose(state, held, { ...choice, at });
      const waiting = next.connections.at(-1)!.state === 'waiting';
      return {
        state: next,
        audit: {
          action: 'sharing.chosen',
          clientId: choice.clientId,
          consentId: choice.consentId,
          details: { option: state.option, waitingForOthers: waiting },
        },
      };
    });
  }
  return accounts.map((a) => a._id);
}

export function approveConnection(
  deps: SharingDeps,
  acting: Acting,
  consent: { _id: string; clientId: string },
) {
  return decide(deps, acting, (state, account, at) => {
    const next = approve(state, account, consent._id, acting.customerId, at);
    const shared = next.connections.find((c) => c.consentId === consent._id)!.state === 'shared';
    return {
      state: next,
      audit: {
        action: 'sharing.approved',
        clientId: consent.clientId,
        consentId: consent._id,
        details: { nowShared: shared },
      },
    };
  });
}

export function stopConnection(
  deps: SharingDeps,
  acting: Acting,
  consent: { _id: string; clientId: string },
) {
  return decide(deps, acting, (state, account, at) => {
    const next = stop(state, account, consent._id, acting.customerId, at);
    const reason = next.connections.find((c) => c.consentId === consent._id)!.endReason!;
    return {
      state: next,
      audit: { action: 'sharing.stopped', clientId: consent.clientId, consentId: consent._id, reason },
    };
  });
}

export async function chooseDisclosureOption(deps: SharingDeps, acting: Acting, option: DisclosureOption) {
  let outcome: 'changed' | 'proposed' = 'changed';
  const state = await decide(deps, acting, (current, account, at) => {
    const change = changeOption(current, account, acting.customerId, option, at);
    outcome = change.outcome;
    return {
      state: change.state,
      audit: {
        action: change.outcome === 'changed' ? 'sharing.option_changed' : 'sharing.option_proposed',
        ...endedConsents(change.ended),
        details: { from: current.option, to: option, connectionsEnded: change.ended.length },
      },
    };
  });
  return { state, outcome };
}

/** A holder declines another's proposal of a less strict option, or withdraws their own. */
export async function declineOptionProposal(deps: SharingDeps, acting: Acting) {
  let withdrawn = false;
  await decide(deps, acting, (state, account, at) => {
    withdrawn = state.proposal?.proposedBy === acting.customerId;
    return {
      state: declineProposal(state, account, acting.customerId, at),
      audit: {
        action: withdrawn ? 'sharing.proposal_withdrawn' : 'sharing.proposal_declined',
        details: { proposed: state.proposal?.option ?? '' },
      },
    };
  });
  return { withdrawn };
}

export function setCardholderInstruction(
  deps: SharingDeps,
  acting: Acting,
  cardholderId: string,
  allowed: boolean,
) {
  return decide(deps, acting, (state, account, at) => {
    const change = setInstruction(state, account, acting.customerId, cardholderId, allowed, at);
    return {
      state: change.state,
      audit: {
        action: 'sharing.instruction_changed',
        ...endedConsents(change.ended),
        details: { cardholder: cardholderId, allowed, connectionsEnded: change.ended.length },
      },
    };
  });
}

/**
 * Which of these accounts (each belonging to others too) the data API may serve on this
 * consent now: `served`, or the reason it may not. Reads only.
 */
export async function accessToAccounts(accountIds: readonly string[], consentId: string, at: Date) {
  const sharings = await readSharings(accountIds, at);
  return new Map(sharings.map((s) => [s.accountId, accessOf(s.state, consentId, at)]));
}

/** The consents a change ended connections of, on its audit event, so that it is in each one's history. */
function endedConsents(ended: readonly { consentId: string }[]) {
  return ended.length > 0 ? { consentIds: ended.map((c) => c.consentId) } : {};
}
