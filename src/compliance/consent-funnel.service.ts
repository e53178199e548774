import { listApps } from '../apps/app.service.js';
import type { AuditLog } from '../audit/audit-log.js';
import { statusReasons } from '../consents/consent.js';
import { consentIdsRequestedBetween, readConsent } from '../consents/consent.repository.js';
import { consentAsOf } from '../consents/consent.service.js';
import { ownerOfConsent } from '../consents/customer-consents.repository.js';
import type { ConsentRecord } from '../consents/consent.model.js';
import type { Viewer } from './compliance.service.js';
import { utcDaysBefore } from './utc-days.js';

/**
 * The consent funnel per app (the figures Australia's CDR collects): of the requests an
 * app made in a period, how many customers authorised, declined, or left, and where they
 * left: before reaching the consent screen (never signed in) or on it. Read from the
 * consents as they stand now; a report, so it scans the period's consents.
 */
export const funnelStages = [
  'authorised',
  'declined',
  'leftBeforeScreen',
  'leftOnScreen',
  'withdrawnByApp',
  'waiting',
] as const;
export type FunnelStage = (typeof funnelStages)[number];

export interface FunnelRow {
  clientId: string;
  appName: string;
  requested: number;
  stages: Record<FunnelStage, number>;
  /** Of the authorised, how many have since ended (revoked, cancelled or expired). */
  endedSince: number;
}

const code = (r: { StatusReasonCode: string }) => r.StatusReasonCode;

async function stageOf(consent: ConsentRecord): Promise<FunnelStage> {
  if (consent.authorisedAt) return 'authorised';
  if (consent.status === 'AWAU') return 'waiting';
  const reason = consent.statusReason?.StatusReasonCode;
  if (reason === code(statusReasons.rejectedByCustomer)) return 'declined';
  if (reason === code(statusReasons.revokedByApp) || reason === code(statusReasons.revokedByBank))
    return 'withdrawnByApp';
  // Not authorised in time: did the customer reach the consent screen (and so own it)?
  return (await ownerOfConsent(consent._id)) ? 'leftOnScreen' : 'leftBeforeScreen';
}

export async function consentFunnel(
  audit: AuditLog,
  viewer: Viewer,
  days: number,
  now = new Date(),
): Promise<{ from: Date; to: Date; rows: FunnelRow[]; total: FunnelRow }> {
  // The same days as the activity page: today (UTC) and the days before it, each whole.
  const from = new Date(`${utcDaysBefore(now, days)[0]}T00:00:00Z`);
  await audit.record({
    action: 'audit.viewed',
    actor: { type: 'staff', id: viewer.user.id },
    outcome: 'success',
    resource: 'consent-funnel',
    context: viewer.request,
    details: { days },
  });
  const ids = await consentIdsRequestedBetween(from, now);
  const consents = (await Promise.all(ids.map((id) => readConsent(id, now))))
    .filter((c): c is ConsentRecord => c !== undefined)
    .map((c) => consentAsOf(c, now));
  const names = new Map((await listApps()).map((a) => [a._id, a.name]));
  const empty = (clientId: string, appName: string): FunnelRow => ({
    clientId,
    appName,
    requested: 0,
    stages: Object.fromEntries(funnelStages.map((s) => [s, 0])) as Record<FunnelStage, number>,
    endedSince: 0,
  });
  const rows = new Map<string, FunnelRow>();
  const total = empty('', 'All apps');
  for (const consent of consents) {
    const row =
      rows.get(consent.clientId) ?? empty(consent.clientId, names.get(consent.clientId) ?? consent.clientId);
    rows.set(consent.clientId, row);
    const stage = await stageOf(consent);
    for (const r of [row, total]) {
      r.requested += 1;
      r.stages[stage] += 1;
      if (stage === 'authorised' && consent.status !== 'AUTH') r.endedSince += 1;
    }
  }
  return { from, to: now, rows: [...rows.values()].sort((a, b) => b.requested - a.requested), total };
}
