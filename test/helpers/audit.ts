import { AuditEventModel } from '../../src/audit/audit-event.model.js';

/** Events matching a filter, oldest first (tests read the log directly, never through the app). */
export async function auditEventsWhere(filter: Record<string, unknown>) {
  const events = await AuditEventModel.find(filter).lean();
  return events.sort((a, b) => a.seq - b.seq);
}

export async function lastAuditEventWhere(filter: Record<string, unknown>) {
  return (await auditEventsWhere(filter)).at(-1);
}
