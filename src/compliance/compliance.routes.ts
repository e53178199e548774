import { showFormAgain } from '../http/form-errors.js';
import { Router } from 'express';
import { z } from 'zod';
import { auditActions, outcomes } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import {
  ActivityQuery,
  AuditSearchQuery,
  auditFilterOf,
  ConsentHistoryQuery,
  ConsentIdParam,
  EventQuery,
  SeqParam,
} from './compliance.schemas.js';
import { flash } from '../http/flash.js';
import { noStore } from '../http/no-store.js';
import { requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';
import {
  getVerificationRun,
  signCheckpoint,
  startVerificationRun,
  viewActivity,
  viewConsentHistory,
  viewEvent,
  viewEvents,
  viewIntegrity,
} from './compliance.service.js';
import { noApp } from '../audit/audit-stats.js';
import { consentSummary } from './consent-summary.service.js';
import { consentFunnel, funnelStages } from './consent-funnel.service.js';
import { appsNeedingAttention } from './attention.js';
import { namesFor } from './names.js';
import { datePresets, filterQuery, withQuery } from './search-links.js';
import { viewerOf } from './viewer.js';
import { actionWords } from '../audit/action-words.js';
import { listApps } from '../apps/app.service.js';
import { customerIdOfEmail } from '../users/user.service.js';

const compliance = requireRole('compliance');
/** The integrity page's buttons send the CSRF token and nothing else. */
const ButtonForm = z.strictObject({ _csrf: z.string() });
const RunParam = z.strictObject({ id: z.uuid('is not a verification run id') });

/** The compliance officer's pages: search, event detail, consent history, activity, integrity, exports. */
export function compliancePageRoutes(audit: AuditLog, options: { retentionDays: number }) {
  const router = Router();
  router.use('/compliance', noStore);

  router.get('/compliance', compliance, async (req, res) => {
    const query = AuditSearchQuery.safeParse(req.query);
    const options = {
      actions: auditActions,
      actionWords,
      outcomes,
      apps: (await listApps()).map((a) => ({ clientId: a._id, name: a.name })),
      values: req.query,
      presets: datePresets(req, new Date()),
    };
    if (!query.success) {
      // The search did not run, so there is nothing to show or export: no result table and
      // no export links (an export without the refused filter would be the whole log).
      return showFormAgain(res, 'compliance/search.njk', query.error, { ...options, refused: true });
    }
    const { before, after, limit, ...parsed } = query.data;
    // A customer may be looked up by the e-mail address they sign in with.
    let customerId = parsed.customerId;
    if (customerId?.includes('@')) {
      customerId = await customerIdOfEmail(customerId);
      if (!customerId) {
        const problem = { customerId: 'No customer signs in with this e-mail address' };
        return showFormAgain(res, 'compliance/search.njk', problem, { ...options, refused: true });
      }
    }
    const shown = { ...parsed, ...(customerId ? { customerId } : {}) };
    const newerFirst = after === undefined;
    const page = await viewEvents(
      audit,
      viewerOf(req),
      auditFilterOf(shown),
      newerFirst ? { before, limit: limit ?? 50 } : { after, order: 'asc', limit: limit ?? 50 },
    );
    // Newest first on screen either way; a page reached by "Newer" was read oldest first.
    const events = newerFirst ? page.events : [...page.events].reverse();
    const more = page.nextCursor !== undefined;
    const paging = {
      newest:
        before !== undefined || after !== undefined ? withQuery(req, {}, ['before', 'after']) : undefined,
      newer:
        events.length > 0 && (newerFirst ? before !== undefined : more)
          ? withQuery(req, { after: String(events[0]!.seq) }, ['before'])
          : undefined,
      older:
        events.length > 0 && (newerFirst ? more : true)
          ? withQuery(req, { before: String(events.at(-1)!.seq) }, ['after'])
          : undefined,
    };
    res.render('compliance/search.njk', {
      ...options,
      events,
      names: await namesFor(events),
      paging,
      backQuery: filterQuery(query.data),
      // Exports carry the filter as the search understood it, not as it was typed.
      exportQuery: filterQuery(shown),
      filtered: Object.values(shown).some((v) => v !== undefined),
    });
  });

  router.get('/compliance/events/:seq', compliance, async (req, res) => {
    const { seq } = parse(SeqParam, req.params);
    const { back } = parse(EventQuery, req.query);
    const event = await viewEvent(audit, viewerOf(req), seq);
    // Back to the search the officer came from, as the search reads it (nothing else gets through).
    const search = back
      ? AuditSearchQuery.safeParse(Object.fromEntries(new URLSearchParams(back)))
      : undefined;
    res.render('compliance/event.njk', {
      event,
      names: await namesFor([event]),
      backTo: search?.success ? `/compliance?${filterQuery(search.data)}` : '/compliance',
      backQuery: search?.success ? filterQuery(search.data) : '',
    });
  });

  router.get('/compliance/consents/:consentId', compliance, async (req, res) => {
    const { consentId } = parse(ConsentIdParam, req.params);
    const { after, limit } = parse(ConsentHistoryQuery, req.query);
    const page = await viewConsentHistory(audit, viewerOf(req), consentId, { after, limit: limit ?? 200 });
    const summary = await consentSummary(consentId);
    res.render('compliance/consent.njk', {
      consentId,
      summary,
      events: page.events,
      names: await namesFor([
        ...page.events,
        ...(summary
          ? [{ clientId: summary.consent.clientId, customerId: summary.consent.customerId ?? undefined }]
          : []),
      ]),
      nextUrl: page.nextCursor ? withQuery(req, { after: String(page.nextCursor) }) : undefined,
    });
  });

  router.get('/compliance/activity', compliance, async (req, res) => {
    const { days } = parse(ActivityQuery, req.query);
    const activity = await viewActivity(audit, viewerOf(req), days ?? 30);
    const attention = await appsNeedingAttention();
    res.render('compliance/activity.njk', {
      activity,
      attention,
      names: await namesFor([...activity.apps.filter((a) => a.clientId !== noApp), ...attention.items]),
      noApp,
    });
  });

  router.get('/compliance/funnel', compliance, async (req, res) => {
    const { days } = parse(ActivityQuery, req.query);
    res.render('compliance/funnel.njk', {
      funnel: await consentFunnel(audit, viewerOf(req), days ?? 30),
      days: days ?? 30,
      stages: funnelStages,
    });
  });

  router.get('/compliance/integrity', compliance, async (req, res) => {
    res.render('compliance/integrity.njk', {
      retentionDays: options.retentionDays,
      retentionYears: (options.retentionDays / 365.25).toFixed(1).replace(/\.0$/, ''),
      ...(await viewIntegrity(audit, viewerOf(req))),
      publicKey: audit.keys.publicJwk,
    });
  });

  router.post('/compliance/integrity/verify', compliance, async (req, res) => {
    parse(ButtonForm, req.body);
    const id = await startVerificationRun(audit, viewerOf(req));
    res.redirect(303, `/compliance/integrity/runs/${id}`);
  });

  router.get('/compliance/integrity/runs/:id', compliance, async (req, res) => {
    const { id } = parse(RunParam, req.params);
    const run = await getVerificationRun(id);
    res.render('compliance/verification-run.njk', { run });
  });

  router.post('/compliance/integrity/checkpoints', compliance, async (req, res) => {
    parse(ButtonForm, req.body);
    const checkpoint = await signCheckpoint(audit, viewerOf(req));
    flash(
      req,
      'success',
      checkpoint
        ? `Signed a checkpoint of the chain at event ${checkpoint.seq}.`
        : 'The audit log is empty: nothing to sign yet.',
    );
    res.redirect(303, '/compliance/integrity');
  });

  return router;
}
