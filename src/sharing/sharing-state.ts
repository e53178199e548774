/**
 * An account's sharing state, and what it means at a given time: the types the rules
 * (sharing-rules.ts, with the state diagrams) move between, the reads of a state that
 * involve the clock (a wait or a proposal past its time has lapsed), and the small moves
 * the rules make on its connections. Pure: no clock of its own, no database.
 */

export const disclosureOptions = ['either', 'both', 'none'] as const;
export type DisclosureOption = (typeof disclosureOptions)[number];

/** How long the other holders have to approve a connection under "both must approve", or agree to a proposal. */
export const approvalWindowMs = 7 * 86_400_000;

export type EndReason = 'stopped' | 'declined' | 'option_changed' | 'instruction_withdrawn';

export interface SharedConnection {
  consentId: string;
  clientId: string;
  /** The customer who chose the account on the consent screen. */
  sharedBy: string;
  state: 'waiting' | 'shared' | 'stopped';
  /** Holders who have approved it; the customer who shared it first. */
  approvedBy: string[];
  at: Date;
  /** Under "both must approve": when a connection not yet approved by everyone lapses. */
  approveBy?: Date;
  endedAt?: Date;
  /** Who stopped it, or whose change of option or instruction did (absent on states kept before it was recorded). */
  endedBy?: string;
  endReason?: EndReason;
}

export interface Proposal {
  option: DisclosureOption;
  proposedBy: string;
  agreedBy: string[];
  at: Date;
}

export interface SharingState {
  option: DisclosureOption;
  /** The last change of option: who made it (or was the last to agree to it), when, and from what. */
  optionChanged?: { by: string; at: Date; from: DisclosureOption };
  proposal?: Proposal;
  connections: SharedConnection[];
  /** Additional cardholders the main cardholder allows to share the card's data. */
  allowedCardholders: string[];
}

/** Until anyone changes it: either holder may share, and no additional cardholder may. */
export const initialSharing: SharingState = { option: 'either', connections: [], allowedCardholders: [] };

export class SharingRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Stage = 'waiting' | 'shared' | 'stopped' | 'lapsed';

/** The proposal of a less strict option still open at `now`, with the day it lapses. */
export function openProposal(state: SharingState, now: Date): (Proposal & { agreeBy: Date }) | undefined {
  if (!state.proposal) return undefined;
  const agreeBy = new Date(state.proposal.at.getTime() + approvalWindowMs);
  return agreeBy > now ? { ...state.proposal, agreeBy } : undefined;
}

/** Where a connection stands at `now`: a wait past its deadline has lapsed. */
export function stage(connection: SharedConnection, now: Date): Stage {
  if (connection.state === 'waiting' && connection.approveBy && connection.approveBy <= now) return 'lapsed';
  return connection.state;
}

/**
 * Whether the data API may serve the account on this connection now, or the reason it
 * may not (recorded with the refusal).
 */
export function accessOf(state: SharingState, consentId: string, now: Date): 'served' | string {
  const connection = state.connections.find((c) => c.consentId === consentId);
  if (!connection) return 'sharing_not_recorded';
  const where = stage(connection, now);
  if (where === 'shared') return 'served';
  if (where === 'waiting') return 'joint_approval_pending';
  if (where === 'lapsed') return 'joint_approval_lapsed';
  return {
    stopped: 'sharing_stopped_by_holder',
    declined: 'joint_approval_declined',
    option_changed: 'joint_option_changed',
    instruction_withdrawn: 'secondary_user_instruction_withdrawn',
  }[connection.endReason ?? 'stopped'];
}

/**
 * The connections a change took the account off while the app could see it (shared, now
 * stopped), each with the reason the data API now gives: what the app is told. A wait that
 * ends is not: the app was never given the account, so it has nothing to be told.
 */
export function connectionsEnded(before: SharingState, after: SharingState, at: Date) {
  const live = new Set(before.connections.filter((c) => c.state === 'shared').map((c) => c.consentId));
  return after.connections
    .filter((c) => c.state === 'stopped' && live.has(c.consentId))
    .map((c) => ({ consentId: c.consentId, clientId: c.clientId, reason: accessOf(after, c.consentId, at) }));
}

export const refusalMessages: Record<string, string> = {
  not_holder: 'Only a holder of this account can do that',
  no_instruction: 'The main cardholder has not allowed additional cardholders to share this card',
  joint_no_sharing: 'The holders of this joint account have chosen not to share it',
};

/** The account's connection to that consent, or a refusal if it has none. */
export function connectionOf(state: SharingState, consentId: string): SharedConnection {
  const connection = state.connections.find((c) => c.consentId === consentId);
  if (!connection) throw new SharingRefusal('no_connection', 'This account is not on that connection');
  return connection;
}

/** `state` with `connection` in place of the one to the same consent. */
export function replace(state: SharingState, connection: SharedConnection): SharingState {
  return {
    ...state,
    connections: state.connections.map((c) => (c.consentId === connection.consentId ? connection : c)),
  };
}

/** `connection`, stopped at `at` for `reason` by `by`. */
export function ended(
  connection: SharedConnection,
  at: Date,
  reason: EndReason,
  by: string,
): SharedConnection {
  return { ...connection, state: 'stopped', endedAt: at, endReason: reason, endedBy: by };
}

/** `state` with the `ending` connections ended for `reason` by `by`; returns them too. */
export function endConnections(
  state: SharingState,
  ending: SharedConnection[],
  at: Date,
  reason: EndReason,
  by: string,
) {
  const gone = ending.map((c) => ended(c, at, reason, by));
  const byConsent = new Map(gone.map((c) => [c.consentId, c]));
  return {
    state: { ...state, connections: state.connections.map((c) => byConsent.get(c.consentId) ?? c) },
    ended: gone,
  };
}
