import type { AuditLog } from '../audit/audit-log.js';
import type { RequestContext } from '../http/request-context.js';
import { claim } from '../db/primary-key.js';
import { AppRequestSlotModel } from './app-request-slot.model.js';

export type LimitedRequest = 'consent' | 'par';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the app may ask again, when refused. */
  retryAfterSeconds: number;
}

const minuteMs = 60_000;
const wording: Record<LimitedRequest, string> = {
  consent: 'account-access consents created',
  par: 'pushed authorisation requests',
};

/**
 * Caps how many consents and pushed authorisation requests each app may make per clock
 * minute (APP_REQUESTS_PER_MINUTE, each kind counted apart), across every server process.
 * Each request claims the next numbered place of its app's minute by insert; a process
 * remembers the highest place it has seen taken, so a claim is usually one insert. A
 * refusal is audited once per app, kind and minute, so a flood cannot flood the log too.
 */
export function appRateLimiter(options: { perMinute: number; audit: AuditLog; now?: () => Date }) {
  const seenTaken = new Map<string, number>();
  let seenMinute = -1;

  return async function take(
    kind: LimitedRequest,
    clientId: string,
    context?: RequestContext,
  ): Promise<RateDecision> {
    const now = (options.now?.() ?? new Date()).getTime();
    const minute = Math.floor(now / minuteMs);
    if (minute !== seenMinute) {
      seenTaken.clear();
      seenMinute = minute;
    }
    const key = `${kind}:${clientId}#${minute}`;
    const windowStartedAt = new Date(minute * minuteMs);
    for (let place = (seenTaken.get(key) ?? 0) + 1; place <= options.perMinute; place++) {
      seenTaken.set(key, place);
      if (await claim(AppRequestSlotModel, { _id: `${key}#${place}`, windowStartedAt })) {
        return { allowed: true, retryAfterSeconds: 0 };
      }
    }
    const retryAfterSeconds = Math.max(1, Math.ceil(((minute + 1) * minuteMs - now) / 1000));
    // The first refusal of the minute claims the place after the last: it alone is audited.
    if (await claim(AppRequestSlotModel, { _id: `${key}#${options.perMinute + 1}`, windowStartedAt })) {
      await options.audit.record({
        action: 'app.rate_limited',
        actor: { type: 'app', id: clientId },
        outcome: 'failure',
        reason: `more than ${options.perMinute} ${wording[kind]} in a minute`,
        clientId,
        ...(context ? { context } : {}),
        details: { kind, limitPerMinute: options.perMinute, retryAfterSeconds },
      });
    }
    return { allowed: false, retryAfterSeconds };
  };
}

export type AppRateLimiter = ReturnType<typeof appRateLimiter>;

/** Removes the places of minutes before the last one. */
export async function sweepAppRequestSlots(now = new Date()): Promise<void> {
  const current = Math.floor(now.getTime() / minuteMs) * minuteMs;
  await AppRequestSlotModel.deleteMany({ windowStartedAt: { $lt: new Date(current - minuteMs) } });
}
