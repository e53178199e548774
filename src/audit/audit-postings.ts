import type { AuditEvent } from './audit-event.js';

/** The filterable fields of an event, as posting-list keys. */
export const postingFields = {
  customerId: 'customer',
  clientId: 'app',
  consentId: 'consent',
  action: 'action',
  outcome: 'outcome',
} as const;

export type PostingField = keyof typeof postingFields;

export function postingKey(field: PostingField, value: string): string {
  return `${postingFields[field]}=${value}`;
}

export function postingKeysOf(event: Pick<AuditEvent, PostingField>): string[] {
  const keys: string[] = [];
  for (const field of Object.keys(postingFields) as PostingField[]) {
    const value = event[field];
    if (typeof value === 'string' && value.length > 0) keys.push(postingKey(field, value));
  }
  return keys;
}
