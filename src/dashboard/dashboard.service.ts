import { findAccounts } from '../accounts/account.repository.js';
import { findApp } from '../apps/app.service.js';
import { searchAuditEvents } from '../audit/audit-query.repository.js';
import { permissionWording, type Permission } from '../consents/consent.js';
import type { ConsentRecord } from '../consents/consent.model.js';
import { currentConsent, type ConsentDeps } from '../consents/consent.service.js';
import { listConsentsForCustomer } from '../consents/consent-customer.service.js';
import { NotFoundError } from '../errors.js';

export const tabs = {
  active: ['AUTH'],
  pending: ['AWAU'],
  expired: ['EXPD'],
  revoked: ['CANC', 'RJCT'],
} as const;
export type Tab = keyof typeof tabs;

const dayMs = 86_400_000;

export interface ConnectedApp {
  consent: ConsentRecord;
  appName: string;
  purpose: string;
  permissions: { title: string; detail: string }[];
  accounts: { accountId: string; label: string }[];
  lastAccessedAt: Date | undefined;
  accessesLast30Days: number;
  expiringSoon: boolean;
  /** Where the customer renews: the app's own site, which starts a fresh authorisation. */
  appSite: string | undefined;
}

/** A customer's consents on one tab, each with what the app may see and how much it has looked. */
export async function connectedApps(
  deps: ConsentDeps,
  customerId: string,
  tab: Tab,
): Promise<{ apps: ConnectedApp[]; counts: Record<Tab, number> }> {
  const consents = await listConsentsForCustomer(deps, customerId);
  const counts = Object.fromEntries(
    Object.entries(tabs).map(([name, statuses]) => [
      name,
      consents.filter((c) => (statuses as readonly string[]).includes(c.status)).length,
    ]),
  ) as Record<Tab, number>;
  const shown = consents.filter((c) => (tabs[tab] as readonly string[]).includes(c.status));
  return { apps: await Promise.all(shown.map((c) => describe(deps, c))), counts };
}

export async function connectedApp(
  deps: ConsentDeps,
  customerId: string,
  consentId: string,
): Promise<ConnectedApp> {
  const consent = await currentConsent(deps, consentId);
  if (!consent || consent.customerId !== customerId)
    throw new NotFoundError('You have no such connected app');
  return describe(deps, consent);
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

async function describe(deps: ConsentDeps, consent: ConsentRecord): Promise<ConnectedApp> {
  const now = deps.now?.() ?? new Date();
  const [app, accounts, last, recent] = await Promise.all([
    findApp(consent.clientId),
    findAccounts(consent.accountIds ?? []),
    searchAuditEvents({ consentId: consent._id, action: 'data.accessed' }, { limit: 1 }),
    searchAuditEvents(
      { consentId: consent._id, action: 'data.accessed', from: new Date(now.getTime() - 30 * dayMs) },
      { limit: 1000 },
    ),
  ]);
  return {
    consent,
    appName: app?.name ?? consent.clientId,
    purpose: app?.purpose ?? '',
    permissions: consent.permissions.map((p) => permissionWording[p as Permission]).filter(Boolean),
    accounts: accounts.map((a) => ({
      accountId: a._id,
      label: `${a.nickname ?? a.name} (${a.kind === 'credit_card' ? a.maskedPan : a.name})`,
    })),
    lastAccessedAt: last.events[0]?.at,
    accessesLast30Days: recent.events.length,
    expiringSoon:
      consent.status === 'AUTH' && consent.expirationDateTime.getTime() - now.getTime() < 30 * dayMs,
    appSite: app?.redirectUris[0] ? URL.parse(app.redirectUris[0])?.origin : undefined,
  };
}
