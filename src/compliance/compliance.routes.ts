import { showFormAgain } from '../http/form-errors.js';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { auditActions, outcomes } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import {
  ActivityQuery,
  AuditEvidenceQuery,
  AuditExportQuery,
  AuditSearchQuery,
  ConsentHistoryQuery,
  ConsentIdParam,
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
import { sendEvidencePack, sendExport } from './export-response.js';
import { viewerOf } from './viewer.js';

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
    const options = { actions: auditActions, outcomes, values: req.query };
    if (!query.success) {
      // The search did not run, so there is nothing to show or export: no result table and
      // no export links (an export without the refused filter would be the whole log).
      return showFormAgain(res, 'compliance/search.njk', query.error, { ...options, refused: true });
    }
    const { before, limit, ...filter } = query.data;
    const page = await viewEvents(audit, viewerOf(req), filter, { before, limit: limit ?? 50 });
    res.render('compliance/search.njk', {
      ...options,
      events: page.events,
      nextUrl: page.nextCursor ? withQuery(req, { before: String(page.nextCursor) }) : undefined,
      // Exports carry the filter as the search understood it, not as it was typed.
      exportQuery: filterQuery(filter),
      filtered: Object.values(filter).some((v) => v !== undefined),
    });
  });

  router.get('/compliance/events/:seq', compliance, async (req, res) => {
    const { seq } = parse(SeqParam, req.params);
    res.render('compliance/event.njk', { event: await viewEvent(audit, viewerOf(req), seq) });
  });

  router.get('/compliance/consents/:consentId', compliance, async (req, res) => {
    const { consentId } = parse(ConsentIdParam, req.params);
    const { after, limit } = parse(ConsentHistoryQuery, req.query);
    const page = await viewConsentHistory(audit, viewerOf(req), consentId, { after, limit: limit ?? 200 });
    res.render('compliance/consent.njk', {
      consentId,
      events: page.events,
      nextUrl: page.nextCursor ? withQuery(req, { after: String(page.nextCursor) }) : undefined,
    });
  });

  router.get('/compliance/activity', compliance, async (req, res) => {
    const { days } = parse(ActivityQuery, req.query);
    res.render('compliance/activity.njk', { activity: await viewActivity(audit, viewerOf(req), days ?? 30) });
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

  router.get('/compliance/export', compliance, async (req, res) => {
    const { format, ...filter } = parse(AuditExportQuery, req.query);
    await sendExport(req, res, audit, filter, format);
  });

  router.get('/compliance/evidence-pack', compliance, async (req, res) => {
    await sendEvidencePack(req, res, audit, parse(AuditEvidenceQuery, req.query));
  });

  return router;
}

/** A filter the search accepted, as the query string of the exports that must match it. */
function filterQuery(filter: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value instanceof Date) params.set(key, value.toISOString());
    else if (value !== undefined) params.set(key, String(value));
  }
  return params.toString();
}

/** The current query string without some keys (for links that keep the filter). */
function queryString(req: Request, drop: string[]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query)) {
    if (!drop.includes(key) && typeof value === 'string' && value !== '') params.set(key, value);
  }
  return params.toString();
}

function withQuery(req: Request, set: Record<string, string>): string {
  const params = new URLSearchParams(queryString(req, Object.keys(set)));
  for (const [key, value] of Object.entries(set)) params.set(key, value);
  return `${req.path}?${params.toString()}`;
}
