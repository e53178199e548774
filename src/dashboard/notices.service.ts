import { findApp } from '../apps/app.service.js';
import { searchAuditEvents } from '../audit/audit-query.repository.js';
import type { ConsentRecord } from '../consents/consent.model.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { listConsentsForCustomer } from '../consents/consent-customer.service.js';
import { dayInWords, lastMonthIn, timeInWords } from '../http/time-words.js';
import { sharingNoticesFor } from '../sharing/sharing-notices.js';
import { describeResource, readCountCap, timesInWords as times } from './access-words.js';

/**
 * The customer's notices, in the app (no e-mail needed): what she should know about her
 * connections, worked out from her consents and the audit log each time she looks, so a
 * notice can never disagree with the record. Newest first.
 */
export interface Notice {
  at: Date;
  kind: 'connected' | 'ending' | 'suspended' | 'refused' | 'monthly' | 'joint';
  sentence: string;
  href: string;
  linkText: string;
}

const dayMs = 86_400_000;
/** How far back "recent" notices (new connections, refused reads) go. */
const recentDays = 30;

export async function noticesFor(deps: ConsentDeps, customerId: string, timeZone: string): Promise<Notice[]> {
  const now = deps.now?.() ?? new Date();
  const consents = await listConsentsForCustomer(deps, customerId);
  const month = lastMonthIn(timeZone, now);
  const [notices, sharing] = await Promise.all([
    Promise.all(
      consents.filter((c) => c.authorisedAt).map((c) => noticesOfConsent(c, { now, timeZone, month })),
    ),
    sharingNoticesFor(deps, customerId, timeZone),
  ]);
  const joint = sharing.map((n): Notice => ({ ...n, kind: 'joint' }));
  return [...notices.flat(), ...joint].sort((a, b) => b.at.getTime() - a.at.getTime());
}

async function noticesOfConsent(
  consent: ConsentRecord,
  when: { now: Date; timeZone: string; month: ReturnType<typeof lastMonthIn> },
): Promise<Notice[]> {
  const { now, timeZone, month } = when;
  const app = await findApp(consent.clientId);
  const name = app?.name ?? 'An app that is no longer registered';
  const notice = (kind: Notice['kind'], at: Date, sentence: string): Notice => ({
    at,
    kind,
    sentence,
    href: `/my/apps/${consent._id}`,
    linkText: 'See this connection',
  });
  const out: Notice[] = [];
  const live = consent.status === 'AUTH';

  if (consent.authorisedAt!.getTime() > now.getTime() - recentDays * dayMs)
    out.push(
      notice(
        'connected',
        consent.authorisedAt!,
        `You connected ${name} on ${timeInWords(consent.authorisedAt!, timeZone)}. You can see what it looks at, and stop it, at any time.`,
      ),
    );
  if (live) {
    const left = consent.expirationDateTime.getTime() - now.getTime();
    const endsOn = dayInWords(consent.expirationDateTime, timeZone);
    if (left <= 7 * dayMs)
      out.push(
        notice(
          'ending',
          new Date(consent.expirationDateTime.getTime() - 7 * dayMs),
          `${name}'s access ends within a week, on ${endsOn}. To keep using it, renew from ${name}.`,
        ),
      );
    else if (left <= 30 * dayMs)
      out.push(
        notice(
          'ending',
          new Date(consent.expirationDateTime.getTime() - 30 * dayMs),
          `${name}'s access ends on ${endsOn}. To keep using it, renew from ${name}.`,
        ),
      );
  }
  if (live && app && app.status !== 'active')
    out.push(
      notice(
        'suspended',
        app.suspendedAt ?? now,
        `We suspended ${name}${app.suspendedAt ? ` on ${dayInWords(app.suspendedAt, timeZone)}` : ''}. It cannot see any of your data while it is suspended.`,
      ),
    );

  const [refused, read] = await Promise.all([
    searchAuditEvents(
      { consentId: consent._id, action: 'data.denied', from: new Date(now.getTime() - recentDays * dayMs) },
      { limit: readCountCap },
    ),
    searchAuditEvents(
      { consentId: consent._id, action: 'data.accessed', from: month.from, to: month.to },
      { limit: readCountCap },
    ),
  ]);
  const elsewhere = refused.events.filter((e) => e.reason === 'account_not_in_consent');
  if (elsewhere.length > 0)
    out.push(
      notice(
        'refused',
        elsewhere[0]!.at,
        `${name} tried to read an account you have not shared with it (${refused.nextCursor !== undefined ? 'at least ' : ''}${times(elsewhere.length)}, most recently on ${timeInWords(elsewhere[0]!.at, timeZone)}). We refused each time.`,
      ),
    );
  const inMonth = read.events.filter((e) => e.at >= month.from && e.at < month.to);
  if (inMonth.length > 0) {
    const byKind = new Map<string, number>();
    for (const e of inMonth) {
      const what = describeResource(e.resource).toLowerCase();
      const kind = what.startsWith('your ') ? what : `your ${what}`;
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    // The count stops at the cap: past it the line says so rather than give a wrong number.
    const sentence =
      read.nextCursor !== undefined
        ? `${name} read your data more than ${times(readCountCap)} in ${month.name}.`
        : `${name} read ${[...byKind]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([kind, n]) => `${kind} ${times(n)}`)
            .join(' and ')} in ${month.name}.`;
    out.push(notice('monthly', month.to, sentence));
  }
  return out;
}
