import { stringify } from 'csv-stringify/sync';
import type { AuditEvent } from '../audit/audit-event.js';

/**
 * An event as exported and served: every field its hash covers, so anyone can recompute
 * it (SHA-256 of the canonical JSON of everything but `hash`), and nothing else.
 */
export function eventBody(event: AuditEvent) {
  const { _id, mac, at, ...rest } = event;
  void _id;
  void mac;
  return { ...rest, at: at.toISOString() };
}

export const csvColumns = [
  'seq',
  'at',
  'action',
  'outcome',
  'reason',
  'actor_type',
  'actor_id',
  'customer_id',
  'client_id',
  'consent_id',
  'consent_ids',
  'resource',
  'account_ids',
  'holder_ids',
  'permissions',
  'record_count',
  'request_id',
  'interaction_id',
  'ip',
  'user_agent',
  'prev_hash',
  'hash',
] as const;

export function csvRow(event: AuditEvent): string {
  const values = [
    event.seq,
    event.at.toISOString(),
    event.action,
    event.outcome,
    event.reason,
    event.actor.type,
    event.actor.id,
    event.customerId,
    event.clientId,
    event.consentId,
    event.consentIds?.join(';'),
    event.resource,
    event.accountIds?.join(';'),
    event.holderIds?.join(';'),
    event.permissions?.join(';'),
    event.recordCount,
    event.requestId,
    event.interactionId,
    event.ip,
    event.userAgent,
    event.prevHash,
    event.hash,
  ];
  return csvLine(values);
}

/**
 * One CSV row by csv-stringify (RFC 4180 quoting), after a leading apostrophe on values a
 * spreadsheet would run as a formula (a user agent or reason could start with `=`).
 */
export function csvLine(values: readonly (string | number | undefined)[]): string {
  const cells = values.map((value) =>
    typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value,
  );
  return stringify([cells], { record_delimiter: '' });
}
