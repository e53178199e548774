import { z } from 'zod';
import { isCalendarDate } from '../http/validate.js';
import { actorTypes, auditActions, outcomes } from '../audit/audit-event.js';

// Empty form fields arrive as ''; they mean "no filter".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const identifier = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9@._:+-]+$/, 'may contain letters, digits and @ . _ : + - only');

/** Accepts an ISO date-time, or the `YYYY-MM-DDTHH:MM` of a datetime-local field, read as UTC. */
const dateTime = z
  .string()
  .regex(
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?)?$/,
    'must be a date like 2026-11-25T09:30Z',
  )
  .refine(isCalendarDate, 'is not a real date')
  .transform(
    (value) => new Date(/Z|[+-]\d{2}:\d{2}$/.test(value) || value.length === 10 ? value : `${value}Z`),
  )
  .refine((date) => !Number.isNaN(date.getTime()), 'is not a real date');

const filterShape = {
  customerId: optional(identifier),
  clientId: optional(identifier),
  consentId: optional(identifier),
  action: optional(z.enum(auditActions)),
  outcome: optional(z.enum(outcomes)),
  from: optional(dateTime),
  to: optional(dateTime),
  /** "1": leave out staff's views of the audit log itself (audit.viewed), which fill its top while an officer works. */
  hideViews: optional(z.literal('1')),
};

/** The audit query's filter for a filter as the pages and the API take it. */
export function auditFilterOf<T extends { hideViews?: '1' | undefined }>(query: T) {
  const { hideViews, ...filter } = query;
  return { ...filter, ...(hideViews ? { excludeAction: 'audit.viewed' as const } : {}) };
}

export const AuditSearchQuery = z
  .strictObject({
    ...filterShape,
    before: optional(z.coerce.number().int().positive()),
    after: optional(z.coerce.number().int().nonnegative()),
    limit: optional(z.coerce.number().int().min(1).max(200)),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after "to"', path: ['from'] });

export const AuditExportQuery = z
  .strictObject({ ...filterShape, format: z.enum(['csv', 'jsonl']).default('csv') })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after "to"', path: ['from'] });

export const AuditEvidenceQuery = z
  .strictObject(filterShape)
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after "to"', path: ['from'] });

/** The review page's form: the filter it showed, the format asked for, and the count it showed. */
export const ExportForm = z
  .strictObject({
    ...filterShape,
    format: z.enum(['csv', 'jsonl', 'evidence-pack']),
    expected: optional(z.coerce.number().int().nonnegative()),
    _csrf: z.string(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after "to"', path: ['from'] });

export const ExportIdParam = z.strictObject({ id: z.uuid('is not an export id') });

export const ConsentHistoryQuery = z.strictObject({
  after: optional(z.coerce.number().int().nonnegative()),
  limit: optional(z.coerce.number().int().min(1).max(500)),
});

export const ActivityQuery = z.strictObject({
  days: optional(z.coerce.number().int().min(1).max(366)),
});

export const SeqParam = z.strictObject({ seq: z.coerce.number().int().positive() });
/** `back`: the query string of the search an officer opened an event from, to return to it. */
export const EventQuery = z.strictObject({ back: optional(z.string().max(2000)) });
export const ConsentIdParam = z.strictObject({ consentId: identifier });

/** An audit event as the JSON API returns it. */
export const AuditEventBody = z.object({
  seq: z.number().int(),
  at: z.string().describe('ISO 8601 server time'),
  day: z.string().describe('UTC day of `at`, YYYY-MM-DD'),
  action: z.enum(auditActions),
  actor: z.object({ type: z.enum(actorTypes), id: z.string().optional() }),
  outcome: z.enum(outcomes),
  reason: z.string().optional(),
  customerId: z.string().optional(),
  clientId: z.string().optional(),
  consentId: z.string().optional(),
  consentIds: z
    .array(z.string())
    .optional()
    .describe('the consents whose access to an account this event ended, on a change about the account'),
  resource: z.string().optional(),
  accountIds: z.array(z.string()).optional(),
  holderIds: z
    .array(z.string())
    .optional()
    .describe('every holder of the account, on events about an account that belongs to more than one person'),
  permissions: z.array(z.string()).optional(),
  recordCount: z.number().int().optional(),
  requestId: z.string().optional(),
  interactionId: z.string().optional().describe("the app's x-fapi-interaction-id, when it sent one"),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  prevHash: z.string(),
  hash: z.string(),
});

export const AuditPageBody = z.object({
  events: z.array(AuditEventBody),
  nextCursor: z.number().int().optional().describe('pass as `before` (or `after`) for the next page'),
});

export const CheckpointBody = z.object({
  seq: z.number().int(),
  hash: z.string(),
  at: z.string(),
  keyId: z.string(),
  signature: z.string(),
  trigger: z.enum(['periodic', 'on_demand']),
});

export const VerificationBody = z.object({
  ok: z.boolean(),
  lastSeq: z.number().int(),
  headHash: z.string(),
  checkpointsChecked: z.number().int(),
  latestCheckpoint: CheckpointBody.optional(),
  problem: z
    .object({
      kind: z.enum(['altered', 'removed', 'inserted', 'reordered', 'checkpoint_invalid']),
      seq: z.number(),
      message: z.string(),
    })
    .optional(),
  durationMs: z.number(),
});

export const ActivityBody = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(
    z.object({
      day: z.string(),
      apps: z.array(
        z.object({ clientId: z.string(), total: z.number(), success: z.number(), failure: z.number() }),
      ),
    }),
  ),
  apps: z.array(
    z.object({
      clientId: z.string(),
      total: z.number(),
      failure: z.number(),
      refusals: z.array(z.object({ reason: z.string(), count: z.number() })),
    }),
  ),
});
