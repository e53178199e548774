import {
  additionalCardholdersOf,
  holdersOf,
  isJoint,
  roleOf,
  type HeldAccount,
} from '../accounts/account-holders.js';
import {
  approvalWindowMs,
  refusalMessages,
  SharingRefusal,
  stage,
  openProposal,
  connectionOf,
  replace,
  ended,
  endConnections,
  type DisclosureOption,
  type SharedConnection,
  type SharingState,
} from './sharing-state.js';

/**
 * Who may share an account that is not one person's alone, as a pure state table (the state
 * itself, and its reads at a given time, are in sharing-state.ts). Each
 * function takes the account's sharing state as it stands and returns the next one, or
 * throws a SharingRefusal naming why not; the repository stores each result as a version
 * and the service audits it (sharing.service.ts). Nothing here reads a clock or a database.
 *
 * A joint account's holders choose one disclosure option:
 *
 *   either ──(any holder, at once)──▶ both ──(any holder, at once)──▶ none
 *   either ◀──(every holder agrees)── both ◀──(every holder agrees)── none
 *
 * Moving to a stricter option ends the connections it no longer allows; moving to a less
 * strict one is a proposal until every holder has agreed to it. A proposal not agreed
 * within 7 days lapses (worked out when read); any holder may decline it, the one who made
 * it included (withdrawing it).
 *
 * A joint account on one connection (a consent):
 *
 *   chosen ─▶ shared   (option "either": at once; the other holders are told and can stop it)
 *   chosen ─▶ waiting ─(every holder approves before approveBy)─▶ shared   (option "both")
 *   waiting ─(approveBy passes)─▶ lapsed (worked out when read, never written)
 *   waiting | shared ─(a holder stops or declines, the option or instruction changes)─▶ stopped
 *
 * A card's additional cardholder shares it only while the main cardholder's instruction
 * allows it; withdrawing the instruction stops the connections they made.
 */

/** How strict each option is: moving up applies at once, moving down needs every holder. */
export const strictness: Record<DisclosureOption, number> = { either: 0, both: 1, none: 2 };

/** Whether this customer may share the account on a new connection, and who must then approve. */
export function shareability(
  state: SharingState,
  account: HeldAccount,
  customerId: string,
): { allowed: true; waitsFor: string[] } | { allowed: false; reason: string } {
  const role = roleOf(account, customerId);
  if (!role) return { allowed: false, reason: 'not_holder' };
  if (role === 'additional_cardholder' && !state.allowedCardholders.includes(customerId))
    return { allowed: false, reason: 'no_instruction' };
  if (role !== 'joint') return { allowed: true, waitsFor: [] };
  if (state.option === 'none') return { allowed: false, reason: 'joint_no_sharing' };
  const others = holdersOf(account).filter((id) => id !== customerId);
  return { allowed: true, waitsFor: state.option === 'both' ? others : [] };
}

export function choose(
  state: SharingState,
  account: HeldAccount,
  choice: { consentId: string; clientId: string; customerId: string; at: Date },
): SharingState {
  const can = shareability(state, account, choice.customerId);
  if (!can.allowed) throw new SharingRefusal(can.reason, refusalMessages[can.reason]!);
  if (state.connections.some((c) => c.consentId === choice.consentId))
    throw new SharingRefusal('already_chosen', 'This account is already on that connection');
  const waiting = can.waitsFor.length > 0;
  const connection: SharedConnection = {
    consentId: choice.consentId,
    clientId: choice.clientId,
    sharedBy: choice.customerId,
    state: waiting ? 'waiting' : 'shared',
    approvedBy: [choice.customerId],
    at: choice.at,
    ...(waiting ? { approveBy: new Date(choice.at.getTime() + approvalWindowMs) } : {}),
  };
  return { ...state, connections: [...state.connections, connection] };
}

export function approve(
  state: SharingState,
  account: HeldAccount,
  consentId: string,
  customerId: string,
  at: Date,
): SharingState {
  const connection = connectionOf(state, consentId);
  if (!holdersOf(account).includes(customerId))
    throw new SharingRefusal('not_holder', refusalMessages.not_holder!);
  if (stage(connection, at) !== 'waiting')
    throw new SharingRefusal(
      'not_waiting',
      `This connection is ${stage(connection, at)}, not waiting for approval`,
    );
  if (connection.approvedBy.includes(customerId))
    throw new SharingRefusal('already_approved', 'You have already approved this connection');
  const approvedBy = [...connection.approvedBy, customerId];
  const everyone = holdersOf(account).every((id) => approvedBy.includes(id));
  return replace(state, { ...connection, approvedBy, state: everyone ? 'shared' : 'waiting' });
}

/** A holder (or the main cardholder, or the additional cardholder who shared it) stops the account on a connection. */
export function stop(
  state: SharingState,
  account: HeldAccount,
  consentId: string,
  customerId: string,
  at: Date,
): SharingState {
  const connection = connectionOf(state, consentId);
  const mayStop = isJoint(account)
    ? holdersOf(account).includes(customerId)
    : customerId === account.customerId || customerId === connection.sharedBy;
  if (!mayStop) throw new SharingRefusal('not_holder', refusalMessages.not_holder!);
  const now = stage(connection, at);
  if (now !== 'waiting' && now !== 'shared')
    throw new SharingRefusal(
      'already_ended',
      `Sharing on this connection has already ${now === 'lapsed' ? 'lapsed' : 'stopped'}`,
    );
  const declined = now === 'waiting' && customerId !== connection.sharedBy;
  return replace(state, ended(connection, at, declined ? 'declined' : 'stopped', customerId));
}

export type OptionChange = 'changed' | 'proposed';

/** A joint holder asks for another disclosure option: stricter takes effect at once, less strict needs everyone. */
export function changeOption(
  state: SharingState,
  account: HeldAccount,
  customerId: string,
  to: DisclosureOption,
  at: Date,
): { state: SharingState; outcome: OptionChange; ended: SharedConnection[] } {
  if (!isJoint(account) || !holdersOf(account).includes(customerId))
    throw new SharingRefusal('not_holder', 'Only the holders of a joint account choose how it is shared');
  if (to === state.option)
    throw new SharingRefusal('unchanged', 'That is already the option for this account');
  const changed = { by: customerId, at, from: state.option };
  if (strictness[to] > strictness[state.option]) {
    const next = { ...state, option: to, proposal: undefined, optionChanged: changed };
    const ending = state.connections.filter(
      (c) =>
        (c.state === 'shared' || stage(c, at) === 'waiting') &&
        (to === 'none' || !holdersOf(account).every((id) => c.approvedBy.includes(id))),
    );
    return { ...endConnections(next, ending, at, 'option_changed', customerId), outcome: 'changed' };
  }
  const open = openProposal(state, at);
  const proposal = open?.option === to ? open : undefined;
  if (proposal?.agreedBy.includes(customerId))
    throw new SharingRefusal(
      'already_proposed',
      'You have already asked for this; the other holders have not all agreed yet',
    );
  const agreedBy = [...(proposal?.agreedBy ?? []), customerId];
  if (!holdersOf(account).every((id) => agreedBy.includes(id))) {
    const next = {
      ...state,
      // Agreeing keeps the proposal's date, so its 7 days run from when it was asked.
      proposal: {
        option: to,
        proposedBy: proposal?.proposedBy ?? customerId,
        agreedBy,
        at: proposal?.at ?? at,
      },
    };
    return { state: next, outcome: 'proposed', ended: [] };
  }
  // Everyone agreed to a less strict option: connections waiting only for approval need none now.
  const connections = state.connections.map((c) =>
    to === 'either' && stage(c, at) === 'waiting' ? { ...c, state: 'shared' as const } : c,
  );
  return {
    state: { ...state, option: to, proposal: undefined, optionChanged: changed, connections },
    outcome: 'changed',
    ended: [],
  };
}

/** A holder turns down another holder's proposal of a less strict option. */
export function declineProposal(
  state: SharingState,
  account: HeldAccount,
  customerId: string,
  at: Date,
): SharingState {
  if (!holdersOf(account).includes(customerId))
    throw new SharingRefusal('not_holder', refusalMessages.not_holder!);
  if (!openProposal(state, at))
    throw new SharingRefusal('no_proposal', 'There is no change waiting for your agreement');
  return { ...state, proposal: undefined };
}

/** The main cardholder allows, or stops allowing, an additional cardholder to share the card's data. */
export function setInstruction(
  state: SharingState,
  account: HeldAccount,
  customerId: string,
  cardholderId: string,
  allowed: boolean,
  at: Date,
): { state: SharingState; ended: SharedConnection[] } {
  if (customerId !== account.customerId || isJoint(account))
    throw new SharingRefusal('not_main_cardholder', 'Only the main cardholder decides this');
  if (!additionalCardholdersOf(account).includes(cardholderId))
    throw new SharingRefusal('not_cardholder', 'That person is not an additional cardholder on this card');
  if (state.allowedCardholders.includes(cardholderId) === allowed)
    throw new SharingRefusal('unchanged', 'That is already the instruction for this cardholder');
  if (allowed)
    return {
      state: { ...state, allowedCardholders: [...state.allowedCardholders, cardholderId] },
      ended: [],
    };
  const next = { ...state, allowedCardholders: state.allowedCardholders.filter((id) => id !== cardholderId) };
  const ending = state.connections.filter(
    (c) => c.sharedBy === cardholderId && (c.state === 'shared' || stage(c, at) === 'waiting'),
  );
  return endConnections(next, ending, at, 'instruction_withdrawn', customerId);
}
