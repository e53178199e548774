import type { AuditEvent, AuditInput } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import { Random, stableId } from './random.js';

/** Third-party apps that appear in generated audit history. */
export const historyApps = [
  'app-budgetbuddy',
  'app-spendwise',
  'app-taxpal',
  'app-loanly',
  'app-crumbs',
] as const;

const refusalReasons = [
  'permission_missing',
  'account_not_in_consent',
  'outside_transaction_window',
  'consent_revoked',
  'consent_expired',
  'unattended_limit',
] as const;

export interface HistoryOptions {
  seed: string;
  events: number;
  customerIds: readonly string[];
  asOf: Date;
  onProgress?: (done: number) => void;
}

/**
 * Writes `events` events of realistic history (sign-ins, consent lifecycles, data access
 * and refusals by a handful of apps) spread over the year before `asOf`, through the
 * audit service itself so that the chain and its hashes are exactly what live traffic
 * would produce. The audit log given must take its time from the generator's clock.
 */
export async function seedAuditHistory(
  audit: AuditLog,
  clock: { time: Date },
  options: HistoryOptions,
  onWave?: (events: AuditEvent[], last: boolean) => Promise<void>,
): Promise<number> {
  const random = new Random(`${options.seed}/audit-history`);
  const start = options.asOf.getTime() - 365 * 86_400_000;
  const step = (365 * 86_400_000) / Math.max(1, options.events);
  // Events of one wave share its time: at least one wave a day, so any size covers the year
  // day by day (10,000 events in waves of 5,000 would stand at two moments only).
  const inFlight = Math.max(1, Math.min(5000, Math.ceil(options.events / 365)));
  let written = 0;

  for (let i = 0; i < options.events; i += inFlight) {
    const wave: Promise<AuditEvent>[] = [];
    clock.time = new Date(start + i * step);
    for (let j = i; j < Math.min(options.events, i + inFlight); j++) {
      wave.push(audit.record(historyEvent(random, options, j)));
    }
    const events = await Promise.all(wave);
    await onWave?.(
      events.sort((x, y) => x.seq - y.seq),
      written + events.length === options.events,
    );
    written += events.length;
    options.onProgress?.(written);
  }
  return written;
}

function historyEvent(random: Random, options: HistoryOptions, index: number): AuditInput {
  const customerId = random.pick(options.customerIds);
  const clientId = random.pick(historyApps);
  const consentId = stableId('consent', options.seed, customerId, clientId);
  const context = {
    requestId: stableId('req', options.seed, index),
    ip: `192.0.2.${random.int(1, 254)}`,
    userAgent: random.pick([
      'okhttp/4.12',
      'python-requests/2.32',
      'Mozilla/5.0 (iPhone)',
      'Mozilla/5.0 (Windows NT 10.0)',
    ]),
  };
  const roll = random.next();
  if (roll < 0.08) {
    const ok = random.chance(0.85);
    return {
      action: ok ? 'auth.signed_in' : 'auth.sign_in_failed',
      actor: ok
        ? { type: 'customer', id: customerId }
        : { type: 'anonymous', id: `${customerId}@example.com` },
      outcome: ok ? 'success' : 'failure',
      reason: ok ? undefined : 'wrong_password',
      customerId,
      context,
    };
  }
  if (roll < 0.12) {
    const action = random.pick([
      'consent.created',
      'consent.authorised',
      'consent.authorised',
      'consent.revoked',
      'consent.expired',
      'consent.rejected',
    ] as const);
    return {
      action,
      actor:
        action === 'consent.created' ? { type: 'app', id: clientId } : { type: 'customer', id: customerId },
      outcome: 'success',
      customerId,
      clientId,
      consentId,
      permissions: [
        'ReadAccountsDetail',
        'ReadBalances',
        'ReadTransactionsDetail',
        'ReadTransactionsCredits',
        'ReadTransactionsDebits',
      ],
      context,
    };
  }
  const refused = roll > 0.95;
  const resource = random.pick([
    '/accounts',
    '/accounts/{AccountId}/balances',
    '/accounts/{AccountId}/transactions',
    '/transactions',
  ]);
  return {
    action: refused ? 'data.denied' : 'data.accessed',
    actor: { type: 'app', id: clientId },
    outcome: refused ? 'failure' : 'success',
    reason: refused ? random.pick(refusalReasons) : undefined,
    customerId,
    clientId,
    consentId,
    resource: `GET ${resource}`,
    accountIds: [stableId('acc', options.seed, customerId, 0)],
    permissions: resource.endsWith('transactions')
      ? ['ReadTransactionsDetail']
      : resource.endsWith('balances')
        ? ['ReadBalances']
        : ['ReadAccountsDetail'],
    recordCount: refused ? 0 : random.int(1, 100),
    context,
  };
}

/**
 * Collects waves and indexes them 100,000 events at a time: busy keys (each customer,
 * each consent) are then written once per 100,000 events rather than once per wave.
 */
export function indexInBulk(indexer: { indexKnown(events: AuditEvent[]): Promise<number> }, size = 100_000) {
  let pending: AuditEvent[] = [];
  return async (wave: AuditEvent[], last: boolean) => {
    pending = pending.concat(wave);
    if (pending.length >= size || last) {
      await indexer.indexKnown(pending);
      pending = [];
    }
  };
}
