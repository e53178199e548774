import { accountLabel } from '../accounts/account-label.js';
import {
  additionalCardholdersOf,
  hasOtherPeople,
  holdersOf,
  peopleOf,
  roleOf,
  type HeldAccount,
  type HolderRole,
} from '../accounts/account-holders.js';
import { accountIdsOfCustomer, findAccounts } from '../accounts/account.repository.js';
import { findCustomers } from '../accounts/customer.repository.js';
import { findApp } from '../apps/app.service.js';
import { currentConsent, type ConsentDeps } from '../consents/consent.service.js';
import { changeOption, shareability } from './sharing-rules.js';
import {
  openProposal,
  SharingRefusal,
  stage,
  type DisclosureOption,
  type SharedConnection,
  type SharingState,
  type Stage,
} from './sharing-state.js';
import { readSharings } from './sharing.repository.js';
import { listOfNames } from '../http/list-of-names.js';

/** What the pages show of accounts that belong to more than one person. Reads only. */

export interface SharedAccountView {
  account: HeldAccount;
  accountId: string;
  label: string;
  role: HolderRole;
  /** The main holder (or main cardholder). */
  mainHolderId: string;
  /** Everyone else with a say, by name. */
  others: { customerId: string; name: string }[];
  /** Additional cardholders on a card, with whether each may share it. */
  cardholders: { customerId: string; name: string; allowed: boolean }[];
  state: SharingState;
  /** A less strict option one holder asked for, while it is open. */
  proposal: ReturnType<typeof openProposal>;
  names: Record<string, string>;
}

/** The customer's accounts that are not theirs alone, with their sharing state. */
export async function sharedAccountsOf(customerId: string, now: Date): Promise<SharedAccountView[]> {
  const accounts = (await findAccounts(await accountIdsOfCustomer(customerId))).filter(hasOtherPeople);
  const [sharings, people] = await Promise.all([
    readSharings(
      accounts.map((a) => a._id),
      now,
    ),
    findCustomers([...new Set(accounts.flatMap(peopleOf))]),
  ]);
  const names = Object.fromEntries(people.map((p) => [p._id, p.name]));
  return accounts.flatMap((account, i) => {
    const role = roleOf(account, customerId);
    if (!role) return [];
    const state = sharings[i]!.state;
    return [
      {
        account: {
          _id: account._id,
          customerId: account.customerId,
          holderIds: account.holderIds,
          cardholders: account.cardholders,
        },
        accountId: account._id,
        label: accountLabel(account),
        role,
        mainHolderId: holdersOf(account)[0]!,
        others: peopleOf(account)
          .filter((id) => id !== customerId)
          .map((id) => ({ customerId: id, name: names[id] ?? 'Another customer' })),
        cardholders: additionalCardholdersOf(account).map((id) => ({
          customerId: id,
          name: names[id] ?? 'Another customer',
          allowed: state.allowedCardholders.includes(id),
        })),
        state,
        proposal: openProposal(state, now),
        names,
      },
    ];
  });
}

/** The accounts this customer may not put on a new connection: their other holders have not allowed it. */
export function notShareable(customerId: string, shared: SharedAccountView[]): string[] {
  return shared
    .filter((view) => !shareability(view.state, view.account, customerId).allowed)
    .map((view) => view.accountId);
}

/** On the consent screen: whether each account may be chosen, and what choosing it means for the others. */
export interface ConsentScreenNote {
  shareable: boolean;
  sentence: string;
}

export function consentScreenNotes(
  customerId: string,
  shared: SharedAccountView[],
  appName: string,
): Record<string, ConsentScreenNote> {
  const notes: Record<string, ConsentScreenNote> = {};
  for (const view of shared) {
    const others = listOfNames(view.others.map((o) => o.name));
    const can = shareability(view.state, view.account, customerId);
    if (view.role === 'joint') {
      notes[view.accountId] = !can.allowed
        ? {
            shareable: false,
            sentence: `Joint account with ${others}. Its holders have chosen not to share it with apps.`,
          }
        : can.waitsFor.length > 0
          ? {
              shareable: true,
              sentence: `Joint account with ${others}. Its holders have chosen that every holder must approve: ${appName} cannot see it until ${others} approves, within 7 days. ${others} will see this connection and can stop it at any time.`,
            }
          : {
              shareable: true,
              sentence: `Joint account with ${others}. ${others} will be told, will see this connection, and can stop sharing it at any time.`,
            };
    } else if (view.role === 'additional_cardholder') {
      const main = view.names[view.mainHolderId] ?? 'The main cardholder';
      notes[view.accountId] = can.allowed
        ? {
            shareable: true,
            sentence: `${main}'s card, on which you are an additional cardholder. ${main} will see this connection and can stop it at any time.`,
          }
        : {
            shareable: false,
            sentence: `${main}'s card, on which you are an additional cardholder. ${main} has not allowed additional cardholders to share it.`,
          };
    } else if (view.role === 'main_cardholder') {
      notes[view.accountId] = {
        shareable: true,
        sentence: `This card's transactions include those made by ${others} with their own card${view.cardholders.length > 1 ? 's' : ''}.`,
      };
    }
  }
  return notes;
}

export interface OthersConnection {
  consentId: string;
  accountId: string;
  accountLabel: string;
  appName: string;
  /** The app takes notices (a webhook): told at once when the account leaves, and asked to delete its data. */
  appNotified: boolean;
  sharedByName: string;
  stage: Stage | 'ended';
  /** When the connection itself ended (its consent ended, or the sharer took the account off). */
  connectionEndedAt?: Date;
  connection: SharedConnection;
  endedByName: string | undefined;
  canApprove: boolean;
  canStop: boolean;
}

/**
 * Connections other people made that include an account this customer holds with them
 * (a joint account, or a card on which they are the main cardholder), newest first. Only
 * connections that were authorised: a request never approved shared nothing.
 */
export async function othersConnections(
  deps: ConsentDeps,
  customerId: string,
  shared: SharedAccountView[],
): Promise<OthersConnection[]> {
  const now = deps.now?.() ?? new Date();
  const candidates = shared
    .filter((view) => view.role === 'joint' || view.role === 'main_cardholder')
    .flatMap((view) =>
      view.state.connections
        .filter((c) => c.sharedBy !== customerId)
        .map((connection) => ({ view, connection })),
    );
  const found = await Promise.all(
    candidates.map(async ({ view, connection }) => {
      const [consent, app] = await Promise.all([
        currentConsent(deps, connection.consentId),
        findApp(connection.clientId),
      ]);
      if (!consent?.authorisedAt) return undefined;
      // Ended too when the consent no longer names the account (the sharer took it off).
      const live = consent.status === 'AUTH' && (consent.accountIds ?? []).includes(view.accountId);
      const where: OthersConnection['stage'] = live ? stage(connection, now) : 'ended';
      return {
        consentId: connection.consentId,
        accountId: view.accountId,
        accountLabel: view.label,
        appName: app?.name ?? 'An app that is no longer registered',
        appNotified: Boolean(app?.webhookUrl),
        sharedByName: view.names[connection.sharedBy] ?? 'Another customer',
        stage: where,
        ...(live ? {} : { connectionEndedAt: consent.statusUpdateDateTime }),
        connection,
        endedByName: connection.endedBy ? (view.names[connection.endedBy] ?? 'Another customer') : undefined,
        canApprove:
          where === 'waiting' && view.role === 'joint' && !connection.approvedBy.includes(customerId),
        canStop: where === 'waiting' || where === 'shared',
      };
    }),
  );
  return found
    .filter((c): c is OthersConnection => c !== undefined)
    .sort((a, b) => b.connection.at.getTime() - a.connection.at.getTime());
}

/**
 * The apps that can see the account now and would stop at once if this customer chose
 * `option`, by name: what the confirmation page says before she confirms. None for a less
 * strict option, which waits for every holder, or one the rules refuse.
 */
export async function appsAChangeWouldStop(
  view: SharedAccountView,
  customerId: string,
  option: DisclosureOption,
  now: Date,
): Promise<string[]> {
  let ending: Set<string>;
  try {
    ending = new Set(
      changeOption(view.state, view.account, customerId, option, now).ended.map((c) => c.consentId),
    );
  } catch (error) {
    if (error instanceof SharingRefusal) return [];
    throw error;
  }
  const seeing = view.state.connections.filter((c) => c.state === 'shared' && ending.has(c.consentId));
  const apps = await Promise.all([...new Set(seeing.map((c) => c.clientId))].map((id) => findApp(id)));
  return apps.map((app) => app?.name ?? 'An app that is no longer registered');
}
