import { findManyById } from '../db/primary-key.js';
import { findChainHead, type ChainHead } from './audit-chain-head.js';
import { AuditEventModel } from './audit-event.model.js';
import { eventId, type AuditEvent, type AuditAction, type Outcome } from './audit-event.js';
import { AuditDailyStatsModel, AuditIndexStateModel } from './audit-index.model.js';
import type { DailyStats } from './audit-stats.js';
import { candidates } from './audit-candidates.js';
import { eventsInSequence } from './audit-blocks.js';

export interface AuditFilter {
  customerId?: string;
  clientId?: string;
  consentId?: string;
  action?: AuditAction;
  outcome?: Outcome;
  from?: Date;
  to?: Date;
  /** Leave out one kind of event (staff's own page views, say). */
  excludeAction?: AuditAction;
}

export interface AuditPageRequest {
  /** Newest first: events with a sequence number below this. */
  before?: number;
  /** Oldest first: events with a sequence number above this. */
  after?: number;
  order?: 'desc' | 'asc';
  limit: number;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Pass as `before` (desc) or `after` (asc) for the next page; absent on the last page. */
  nextCursor: number | undefined;
}

// Concurrent writers stamp events a few milliseconds out of sequence order; time bounds are widened by this.
const clockSlackMs = 5_000;
const fetchWidth = 32;

// A hint only: the head is always confirmed by probing forward from it.
let headHint: ChainHead | undefined;

async function currentHead(): Promise<ChainHead> {
  headHint = await findChainHead(headHint);
  return headHint;
}

/**
 * One page of events matching a filter, by cursor. Candidates come from the posting list
 * of the most selective equality filter (or every sequence number when there is none),
 * narrowed to the time range by binary search over sequence numbers; events newer than
 * the indexer's progress are checked directly. Each candidate is a primary-key read, so
 * a page costs about the same at any depth and any size of log.
 */
export async function searchAuditEvents(filter: AuditFilter, page: AuditPageRequest): Promise<AuditPage> {
  const order = page.order ?? 'desc';
  const head = await currentHead();
  const state = await AuditIndexStateModel.findById('progress').lean();
  const indexedThrough = Math.min(state?.indexedThrough ?? 0, head.seq);
  const { low, high } = await sequenceRange(filter, head.seq, page);

  const events: AuditEvent[] = [];
  let batch: number[] = [];
  const flush = async () => {
    const found = (await findManyById(batch.map(eventId), (id) =>
      AuditEventModel.findById(id).lean(),
    )) as unknown as AuditEvent[];
    batch = [];
    for (const event of found) if (matches(event, filter) && events.length <= page.limit) events.push(event);
  };
  for await (const seq of candidates(filter, order, low, high, indexedThrough)) {
    batch.push(seq);
    if (batch.length >= fetchWidth) await flush();
    if (events.length > page.limit) break;
  }
  if (batch.length > 0 && events.length <= page.limit) await flush();

  const more = events.length > page.limit;
  const pageEvents = events.slice(0, page.limit);
  return { events: pageEvents, nextCursor: more ? pageEvents.at(-1)!.seq : undefined };
}

/** The sequence numbers a filter's time range and a page's cursor leave to look at. */
async function sequenceRange(filter: AuditFilter, headSeq: number, page: Partial<AuditPageRequest> = {}) {
  let low = Math.max(1, (page.after ?? 0) + 1);
  let high = Math.min(headSeq, (page.before ?? Number.MAX_SAFE_INTEGER) - 1);
  if (filter.from)
    low = Math.max(low, await firstSeqAtOrAfter(new Date(filter.from.getTime() - clockSlackMs), headSeq));
  if (filter.to)
    high = Math.min(high, await lastSeqAtOrBefore(new Date(filter.to.getTime() + clockSlackMs), headSeq));
  return { low, high };
}

/**
 * Every event matching `filter`, oldest first, for exports. A filter naming a customer, an
 * app, a consent, an action or an outcome reads its candidates page by page as the search
 * does; a filter by time alone (or none) reads its range in sealed blocks of 500
 * events (audit-blocks.ts), whose MACs `macKey` checks.
 */
export async function* allAuditEvents(filter: AuditFilter, macKey: Buffer): AsyncGenerator<AuditEvent> {
  const byEquality =
    filter.customerId ?? filter.clientId ?? filter.consentId ?? filter.action ?? filter.outcome;
  if (byEquality === undefined) {
    const { low, high } = await sequenceRange(filter, (await currentHead()).seq);
    for await (const event of eventsInSequence(low, high, macKey)) if (matches(event, filter)) yield event;
    return;
  }
  let after: number | undefined;
  do {
    const page = await searchAuditEvents(filter, { order: 'asc', after, limit: 500 });
    yield* page.events;
    after = page.nextCursor;
  } while (after !== undefined);
}

/**
 * The sequence number of the event among those matching `filter` whose `details[key]` is
 * `value` (the event that recorded a change, named by the change's id), or undefined.
 */
export async function auditEventNaming(
  filter: AuditFilter,
  key: string,
  value: string,
): Promise<number | undefined> {
  let after: number | undefined;
  do {
    const page = await searchAuditEvents(filter, { order: 'asc', after, limit: 200 });
    const found = page.events.find((e) => e.details?.[key] === value);
    if (found) return found.seq;
    after = page.nextCursor;
  } while (after !== undefined);
  return undefined;
}

export async function getAuditEvent(seq: number): Promise<AuditEvent | undefined> {
  return ((await AuditEventModel.findById(eventId(seq)).lean()) as unknown as AuditEvent | null) ?? undefined;
}

export function matches(event: AuditEvent, filter: AuditFilter): boolean {
  return (
    (!filter.customerId ||
      event.customerId === filter.customerId ||
      (event.holderIds ?? []).includes(filter.customerId)) &&
    (!filter.clientId || event.clientId === filter.clientId) &&
    (!filter.consentId ||
      event.consentId === filter.consentId ||
      (event.consentIds ?? []).includes(filter.consentId)) &&
    (!filter.action || event.action === filter.action) &&
    (!filter.excludeAction || event.action !== filter.excludeAction) &&
    (!filter.outcome || event.outcome === filter.outcome) &&
    (!filter.from || event.at >= filter.from) &&
    (!filter.to || event.at <= filter.to)
  );
}

/** Binary search over sequence numbers by event time (events are written in time order, give or take the slack). */
async function firstSeqAtOrAfter(time: Date, headSeq: number): Promise<number> {
  let low = 1;
  let high = headSeq + 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const event = await AuditEventModel.findById(eventId(middle), { at: 1 }).lean();
    if (event && event.at < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

async function lastSeqAtOrBefore(time: Date, headSeq: number): Promise<number> {
  return (await firstSeqAtOrAfter(new Date(time.getTime() + 1), headSeq)) - 1;
}

/** Each day's activity per app, as the indexer keeps it (days as YYYY-MM-DD, missing days skipped). */
export async function dailyStats(days: readonly string[]): Promise<DailyStats[]> {
  return (await findManyById(days, (id) =>
    AuditDailyStatsModel.findById(id).lean(),
  )) as unknown as DailyStats[];
}
