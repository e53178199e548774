import type { AuditEvent } from './audit-event.js';

/**
 * Posting-list keys for the filterable fields. Fields with few values (app, action,
 * outcome) have dense lists, stored in fixed buckets of sequence numbers so lists of
 * different keys can be intersected bucket by bucket. Fields with many values (customer,
 * consent) have sparse lists, stored as pages of up to `pageSize` numbers that are filled
 * in turn, so a key with a handful of events costs one document however long the log.
 */
export const bucketedFields = { clientId: 'app', action: 'action', outcome: 'outcome' } as const;
export const pagedFields = { consentId: 'consent', customerId: 'customer' } as const;

export type BucketedField = keyof typeof bucketedFields;
export type PagedField = keyof typeof pagedFields;
export type PostingField = BucketedField | PagedField;

export const postingBucketSize = 10_000;
export const postingPageSize = 5_000;

const prefixes: Record<PostingField, string> = { ...bucketedFields, ...pagedFields };

export function postingKey(field: PostingField, value: string): string {
  return `${prefixes[field]}=${value}`;
}

export const bucketId = (key: string, bucket: number) => `${key}#b${bucket}`;
export const pageId = (key: string, page: number) => `${key}#p${page}`;

export function postingKeysOf(event: Pick<AuditEvent, PostingField | 'holderIds' | 'consentIds'>) {
  const keys = (fields: readonly PostingField[]) =>
    fields
      .filter((field) => typeof event[field] === 'string' && event[field] !== '')
      .map((field) => postingKey(field, event[field] as string));
  // A decision about a shared account is found under every holder's name, not only the actor's.
  const holders = (event.holderIds ?? []).map((id) => postingKey('customerId', id));
  // A change that ended several consents' access is in each one's history.
  const consents = (event.consentIds ?? []).map((id) => postingKey('consentId', id));
  return {
    bucketed: keys(Object.keys(bucketedFields) as BucketedField[]),
    paged: [...new Set([...keys(Object.keys(pagedFields) as PagedField[]), ...holders, ...consents])],
  };
}
