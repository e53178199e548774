import { accountLabel } from '../accounts/account-label.js';
import { findAccounts } from '../accounts/account.repository.js';
import { findApp } from '../apps/app.service.js';
import { searchAuditEvents } from '../audit/audit-query.repository.js';
import { permissionWording, type Permission } from '../consents/consent.js';
import type { ConsentRecord } from '../consents/consent.model.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { customersOwnConsent, listConsentsForCustomer } from '../consents/consent-customer.service.js';
import { dayInWords, timeInWords } from '../http/time-words.js';
import { consentStory, type ConsentStory } from './consent-story.js';
import { readCount, readCountCap } from './access-words.js';

/** The dashboard's tabs: ended connections together, each saying how it ended. */
export const tabs = {
  active: ['AUTH'],
  pending: ['AWAU'],
  ended: ['CANC', 'RJCT', 'EXPD'],
} as const;
export type Tab = keyof typeof tabs;

const dayMs = 86_400_000;

export interface ConnectedApp {
  consent: ConsentRecord;
  appName: string;
  /** The company behind the app and its register entry, when recorded at registration. */
  company: string | undefined;
  purpose: string;
  permissions: { title: string; detail: string }[];
  accounts: { accountId: string; label: string }[];
  lastAccessedAt: Date | undefined;
  /** How often the app read in the last 30 days: "2 times", "More than 1,000 times". */
  accessesLast30Days: string;
  expiringSoon: boolean;
  /** The bank has suspended the app: the connection stands, but the app can read nothing. */
  appSuspended: boolean;
  /** The app takes notices (a webhook): told at once when access ends, and asked to delete the data. */
  appNotified: boolean;
  story: ConsentStory;
  /** Where the customer renews: the app's own site, which starts a fresh authorisation. */
  appSite: string | undefined;
}

/** A customer's consents on one tab, each with what the app may see and how much it has looked. */
export async function connectedApps(
  deps: ConsentDeps,
  customerId: string,
  tab: Tab,
  timeZone: string,
): Promise<{ apps: ConnectedApp[]; counts: Record<Tab, number> }> {
  const consents = await listConsentsForCustomer(deps, customerId);
  const counts = Object.fromEntries(
    Object.entries(tabs).map(([name, statuses]) => [
      name,
      consents.filter((c) => (statuses as readonly string[]).includes(c.status)).length,
    ]),
  ) as Record<Tab, number>;
  const shown = consents.filter((c) => (tabs[tab] as readonly string[]).includes(c.status));
  return { apps: await Promise.all(shown.map((c) => describe(deps, c, timeZone))), counts };
}

export async function connectedApp(
  deps: ConsentDeps,
  customerId: string,
  consentId: string,
  timeZone: string,
): Promise<ConnectedApp> {
  return describe(deps, await customersOwnConsent(deps, customerId, consentId), timeZone);
}

/** What a message after a change names: the app, whether it takes notices, and an account. */
export async function namesAfterChange(clientId: string, accountId?: string) {
  const [app, accounts] = await Promise.all([findApp(clientId), accountId ? findAccounts([accountId]) : []]);
  return {
    appName: app?.name ?? 'The app',
    appNotified: Boolean(app?.webhookUrl),
    accountLabel: accounts[0] ? accountLabel(accounts[0]) : 'That account',
  };
}

/** The customer's own record of an app's reads and refused reads under one consent, newest first. */
export async function accessHistory(consentId: string, before: number | undefined) {
  const [accessed, denied] = await Promise.all([
    searchAuditEvents({ consentId, action: 'data.accessed' }, { before, limit: 25 }),
    searchAuditEvents({ consentId, action: 'data.denied' }, { before, limit: 25 }),
  ]);
  const events = [...accessed.events, ...denied.events].sort((a, b) => b.seq - a.seq).slice(0, 25);
  const more = events.length === 25 || accessed.nextCursor !== undefined || denied.nextCursor !== undefined;
  return { events, nextCursor: more && events.length > 0 ? events.at(-1)!.seq : undefined };
}

async function describe(deps: ConsentDeps, consent: ConsentRecord, timeZone: string): Promise<ConnectedApp> {
  const now = deps.now?.() ?? new Date();
  const [app, accounts, last, recent] = await Promise.all([
    findApp(consent.clientId),
    findAccounts(consent.accountIds ?? []),
    searchAuditEvents({ consentId: consent._id, action: 'data.accessed' }, { limit: 1 }),
    searchAuditEvents(
      { consentId: consent._id, action: 'data.accessed', from: new Date(now.getTime() - 30 * dayMs) },
      { limit: readCountCap },
    ),
  ]);
  const appName = app?.name ?? 'An app that is no longer registered';
  const appSuspended = app !== null && app !== undefined && app.status !== 'active';
  return {
    consent,
    appName,
    company: app?.legalName
      ? `${app.legalName}${app.registration ? `, ${app.registration}` : ''}`
      : undefined,
    purpose: app?.purpose ?? '',
    permissions: consent.permissions.map((p) => permissionWording[p as Permission]).filter(Boolean),
    accounts: accounts.map((a) => ({ accountId: a._id, label: accountLabel(a) })),
    lastAccessedAt: last.events[0]?.at,
    accessesLast30Days: readCount(recent.events.length, recent.nextCursor !== undefined),
    expiringSoon:
      consent.status === 'AUTH' &&
      !appSuspended &&
      consent.expirationDateTime.getTime() - now.getTime() < 30 * dayMs,
    appSuspended,
    appNotified: Boolean(app?.webhookUrl),
    story: consentStory({
      status: consent.status,
      reasonCode: consent.statusReason?.StatusReasonCode ?? undefined,
      authorised: Boolean(consent.authorisedAt),
      appName,
      appSuspended,
      changedAt: timeInWords(consent.statusUpdateDateTime, timeZone),
      expiresOn: dayInWords(consent.expirationDateTime, timeZone),
    }),
    appSite: app?.redirectUris[0] ? URL.parse(app.redirectUris[0])?.origin : undefined,
  };
}
