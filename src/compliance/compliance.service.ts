import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../http/request-context.js';
import type { AuditLog } from '../audit/audit-log.js';
import { listCheckpoints, writeCheckpoint, type Checkpoint } from '../audit/audit-checkpoint.repository.js';
import {
  dailyStats,
  getAuditEvent,
  searchAuditEvents,
  type AuditFilter,
  type AuditPageRequest,
} from '../audit/audit-query.repository.js';
import { verifyAuditLog, type VerificationResult } from '../audit/audit-verifier.js';
import { NotFoundError } from '../errors.js';
import type { SessionUser } from '../users/user.service.js';
import { findRun, recentRuns, startRun } from './verification-run.repository.js';
import { utcDaysBefore } from './utc-days.js';

/** A compliance officer and the request they made: every view and export is recorded against them. */
export interface Viewer {
  user: SessionUser;
  request: RequestContext;
}

function recordView(
  audit: AuditLog,
  viewer: Viewer,
  view: string,
  details: Record<string, string | number | boolean> = {},
) {
  return audit.record({
    action: 'audit.viewed',
    actor: { type: 'staff', id: viewer.user.id },
    outcome: 'success',
    resource: view,
    context: viewer.request,
    details,
  });
}

export function describeFilter(filter: AuditFilter): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : String(v)]),
  );
}

export async function viewEvents(
  audit: AuditLog,
  viewer: Viewer,
  filter: AuditFilter,
  page: AuditPageRequest,
) {
  await recordView(audit, viewer, 'events', {
    ...describeFilter(filter),
    ...(page.before ? { before: page.before } : {}),
  });
  return searchAuditEvents(filter, page);
}

export async function viewEvent(audit: AuditLog, viewer: Viewer, seq: number) {
  await recordView(audit, viewer, 'event', { seq });
  const event = await getAuditEvent(seq);
  if (!event) throw new NotFoundError(`There is no audit event ${seq}`);
  return event;
}

export async function viewConsentHistory(
  audit: AuditLog,
  viewer: Viewer,
  consentId: string,
  page: { after?: number; limit: number },
) {
  await recordView(audit, viewer, 'consent-history', { consentId });
  return searchAuditEvents({ consentId }, { order: 'asc', after: page.after, limit: page.limit });
}

export interface ActivitySummary {
  from: string;
  to: string;
  days: { day: string; apps: { clientId: string; total: number; success: number; failure: number }[] }[];
  apps: { clientId: string; total: number; failure: number; refusals: { reason: string; count: number }[] }[];
}

/** Per-day activity per app over the last `days` days, and each app's refused accesses by reason, most first. */
export async function viewActivity(
  audit: AuditLog,
  viewer: Viewer,
  days: number,
  now = new Date(),
): Promise<ActivitySummary> {
  await recordView(audit, viewer, 'activity', { days });
  const dayList = utcDaysBefore(now, days);
  const stats = await dailyStats(dayList);
  const byDay = new Map(stats.map((s) => [s._id, s]));
  const apps = new Map<
    string,
    { clientId: string; total: number; failure: number; refusals: Map<string, number> }
  >();
  for (const stat of stats) {
    for (const app of stat.apps) {
      const entry = apps.get(app.clientId) ?? {
        clientId: app.clientId,
        total: 0,
        failure: 0,
        refusals: new Map(),
      };
      entry.total += app.total;
      entry.failure += app.failure;
      for (const refusal of app.refusals)
        entry.refusals.set(refusal.name, (entry.refusals.get(refusal.name) ?? 0) + refusal.count);
      apps.set(app.clientId, entry);
    }
  }
  return {
    from: dayList[0]!,
    to: dayList.at(-1)!,
    days: dayList.map((day) => ({
      day,
      apps: (byDay.get(day)?.apps ?? []).map(({ clientId, total, success, failure }) => ({
        clientId,
        total,
        success,
        failure,
      })),
    })),
    apps: [...apps.values()]
      .sort((a, b) => b.failure - a.failure || b.total - a.total)
      .map(({ refusals, ...rest }) => ({
        ...rest,
        refusals: [...refusals]
          .map(([reason, count]) => ({ reason, count }))
          .sort((a, b) => b.count - a.count),
      })),
  };
}

export async function viewIntegrity(audit: AuditLog, viewer: Viewer) {
  await recordView(audit, viewer, 'integrity');
  const [checkpoints, runs] = await Promise.all([listCheckpoints(), recentRuns(10)]);
  return { checkpoints: checkpoints.slice(-20).reverse(), total: checkpoints.length, runs };
}

export async function signCheckpoint(audit: AuditLog, viewer: Viewer): Promise<Checkpoint | undefined> {
  const checkpoint = await writeCheckpoint(audit.keys, 'on_demand');
  await audit.record({
    action: 'audit.checkpointed',
    actor: { type: 'staff', id: viewer.user.id },
    outcome: 'success',
    context: viewer.request,
    details: checkpoint ? { seq: checkpoint.seq, hash: checkpoint.hash } : {},
  });
  return checkpoint;
}

/** Verifies now and records who asked and what was found. */
export async function verifyNow(
  audit: AuditLog,
  viewer: Viewer,
  onProgress?: (done: number, total: number) => void,
) {
  const result = await verifyAuditLog(audit.keys, onProgress);
  await recordVerification(audit, viewer, result);
  return result;
}

function recordVerification(audit: AuditLog, viewer: Viewer, result: VerificationResult) {
  return audit.record({
    action: 'audit.verified',
    actor: { type: 'staff', id: viewer.user.id },
    outcome: result.ok ? 'success' : 'failure',
    reason: result.problem?.kind,
    context: viewer.request,
    details: { lastSeq: result.lastSeq, ...(result.problem ? { problemSeq: result.problem.seq } : {}) },
  });
}

/** Starts a verification in the background for the pages, which follow its progress. */
export async function startVerificationRun(audit: AuditLog, viewer: Viewer): Promise<string> {
  const id = randomUUID();
  const run = await startRun(id, viewer.user.id);
  const write = (set: Record<string, unknown>) => run.update(set);
  let lastReport = 0;
  void verifyNow(audit, viewer, (done, total) => {
    if (Date.now() - lastReport < 1000) return;
    lastReport = Date.now();
    void write({ done, total }).catch(() => undefined);
  })
    .then((result) =>
      write({
        status: 'done',
        finishedAt: new Date(),
        done: result.lastSeq,
        total: result.lastSeq,
        result,
      }),
    )
    .catch((error: unknown) =>
      write({
        status: 'failed',
        finishedAt: new Date(),
        error: error instanceof Error ? error.message : 'failed',
      }),
    )
    // The database may be gone too: the run then stays "running" in the list, and its
    // result is still what a new run would find. Never let this bring the server down.
    .catch(() => undefined);
  return id;
}

export async function getVerificationRun(id: string) {
  const run = await findRun(id);
  if (!run) throw new NotFoundError('There is no such verification run');
  return run as typeof run & { result?: VerificationResult };
}

/**
 * Records an export before its first byte leaves: its format and its filter (as
 * `describeFilter` gives it), with the number of events and the prepared export's id when
 * they are known beforehand.
 */
export async function recordExport(
  audit: AuditLog,
  viewer: Viewer,
  format: string,
  details: Record<string, string | number>,
) {
  await audit.record({
    action: 'audit.exported',
    actor: { type: 'staff', id: viewer.user.id },
    outcome: 'success',
    resource: format,
    context: viewer.request,
    details,
  });
}
