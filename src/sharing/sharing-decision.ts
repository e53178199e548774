import { setTimeout as sleep } from 'node:timers/promises';
import { peopleOf } from '../accounts/account-holders.js';
import type { AccountRecord } from '../accounts/account.model.js';
import { findAccounts } from '../accounts/account.repository.js';
import type { AuditInput } from '../audit/audit-event.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { RequestContext } from '../http/request-context.js';
import { recordFollowUp, type AccountWithdrawnFollowUp } from '../outbox/follow-up.repository.js';
import { carryOutFollowUp } from '../outbox/follow-ups.js';
import { connectionsEnded, SharingRefusal, type SharingState } from './sharing-state.js';
import { changeSharing, readSharing } from './sharing.repository.js';

/**
 * One holder's decision about an account's sharing, made safely while others decide too:
 * the next state is worked out from the latest one (sharing-rules.ts), stored as the next
 * version with its audit event naming every holder, and each app whose connection lost the
 * account is told through the outbox. A writer that loses the version to another holder
 * decides again on what that one left.
 */

export type SharingDeps = Pick<ConsentDeps, 'audit' | 'notifier' | 'logger' | 'now'>;

type Decided = {
  state: SharingState;
  audit: Pick<AuditInput, 'action' | 'clientId' | 'consentId' | 'reason'> & {
    details?: Record<string, string | number | boolean>;
  };
};

export interface Acting {
  customerId: string;
  accountId: string;
  context: RequestContext;
}

export const now = (deps: SharingDeps) => deps.now?.() ?? new Date();
// A writer waits this long, at most, for another holder's change being recorded.
const waitForOthersMs = 5_000;

export async function decide(
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
