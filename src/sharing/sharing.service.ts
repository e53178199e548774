import { setTimeout as sleep } from 'node:timers/promises';
import { hasOtherPeople, peopleOf } from '../accounts/account-holders.js';
import type { AccountRecord } from '../accounts/account.model.js';
import { findAccounts } from '../accounts/account.repository.js';
import type { AuditInput } from '../audit/audit-event.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { RequestContext } from '../http/request-context.js';
import { recordFollowUp, type AccountWithdrawnFollowUp } from '../outbox/follow-up.repository.js';
import { carryOutFollowUp } from '../outbox/follow-ups.js';
import { approve, changeOption, choose, declineProposal, setInstruction, stop } from './sharing-rules.js';
import {
  accessOf,
  connectionsEnded,
  SharingRefusal,
  type DisclosureOption,
  type SharingState,
} from './sharing-state.js';
import { changeSharing, readSharing, readSharings } from './sharing.repository.js';

/**
 * The decisions holders make about sharing an account that is not theirs alone. Each is one
 * audited change of the account's sharing state (sharing-rules.ts says what is allowed),
 * naming every holder in its audit event. When two holders act at once, one change wins and
 * the other is decided again on what the first left: it either still makes sense (and is
 * made) or is refused with the reason. When a change takes the account off connections,
 * each app is told through the outbox, as a consent's ending is (consent.service.ts).
 */

export type SharingDeps = Pick<ConsentDeps, 'audit' | 'notifier' | 'logger' | 'now'>;

type Decided = {
  state: SharingState;
  audit: Pick<AuditInput, 'action' | 'clientId' | 'consentId' | 'reason'> & {
    details?: Record<string, string | number | boolean>;
  };
};

interface Acting {
  customerId: string;
  accountId: string;
  context: RequestContext;
}

const now = (deps: SharingDeps) => deps.now?.() ?? new Date();
// A writer waits this long, at most, for another holder's change being recorded.
const waitForOthersMs = 5_000;

async function decide(
  deps: SharingDeps,
  acting: Acting,
  next: (state: SharingState, account: AccountRecord, at: Date) => Decided,
): Promise<SharingState> {
  const [account] = await findAccounts([acting.accountId]);
  if (!account || !peopleOf(account).includes(acting.customerId))
    throw new NotFoundError('You hold no such account');
  const started = Date.now();
  while (Date.now() - started < waitForOthersMs) {
    const at = now(deps);
    const current = await readSharing(acting.accountId, at);
    if (current.inFlight) {
      await sleep(50);
      continue;
    }
    let decided: Decided;
    try {
      decided = next(current.state, account, at);
    } catch (error) {
      if (error instanceof SharingRefusal) throw new ConflictError(error.message, error.code);
      throw error;
    }
    const ended = connectionsEnded(current.state, decided.state, at);
    const followUps: AccountWithdrawnFollowUp[] = [];
    const won = await changeSharing(
      current,
      decided.state,
      { at, actorId: acting.customerId },
      async (changeId) => {
        for (const connection of ended) {
          const followUp = {
            ...connection,
            _id: `${changeId}#withdrawn#${connection.consentId}`,
            kind: 'account-withdrawn' as const,
            changeId,
            accountId: acting.accountId,
            createdAt: at,
          };
          await recordFollowUp(followUp);
          followUps.push(followUp);
        }
        return deps.audit.record({
          ...decided.audit,
          actor: { type: 'customer', id: acting.customerId },
          outcome: 'success',
          customerId: acting.customerId,
          accountIds: [acting.accountId],
          holderIds: peopleOf(account),
          context: acting.context,
          details: { ...decided.audit.details, sharingChange: changeId },
        });
      },
    );
    if (!won) continue;
    for (const followUp of followUps) await carryOutFollowUp(deps, followUp);
    return decided.state;
  }
  throw new ConflictError('Another holder is changing how this account is shared; try again', 'sharing_busy');
}

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
  for (const account of accounts) {
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
        details: {
          from: current.option,
          to: option,
          connectionsEnded: change.ended.length,
          ...(change.ended.length ? { endedConsents: change.ended.map((c) => c.consentId).join(' ') } : {}),
        },
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
