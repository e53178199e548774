import express, { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import { listCheckpoints } from '../audit/audit-checkpoint.repository.js';
import {
  ActivityQuery,
  AuditEvidenceQuery,
  AuditExportQuery,
  AuditSearchQuery,
  auditFilterOf,
  ConsentHistoryQuery,
  ConsentIdParam,
  SeqParam,
} from './compliance.schemas.js';
import { noStore } from '../http/no-store.js';
import { anyone, requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';
import { eventBody } from './audit-serialise.js';
import {
  signCheckpoint,
  verifyNow,
  viewActivity,
  viewConsentHistory,
  viewEvent,
  viewEvents,
} from './compliance.service.js';
import { sendEvidencePack, sendExport } from './export-response.js';
import { viewerOf } from './viewer.js';

const compliance = requireRole('compliance');

/** The POST endpoints act on no input: a body, if one is sent, must be empty (the CSRF token goes in a header). */
const NoInput = z.strictObject({ _csrf: z.string().optional() });

/** The same queries as the compliance pages, as JSON (described in /openapi.json). */
export function complianceApiRoutes(audit: AuditLog) {
  const router = Router();
  router.use('/api/compliance', noStore);
  // Bodies are read, within a small limit, so that one sent by mistake is refused rather than ignored.
  router.use('/api/compliance', express.json({ limit: '16kb' }));

  router.get('/api/compliance/events', compliance, async (req, res) => {
    const { before, after, limit, ...filter } = parse(AuditSearchQuery, req.query);
    const page = await viewEvents(
      audit,
      viewerOf(req),
      auditFilterOf(filter),
      after === undefined ? { before, limit: limit ?? 50 } : { after, order: 'asc', limit: limit ?? 50 },
    );
    res.json({ events: page.events.map(eventBody), nextCursor: page.nextCursor });
  });

  router.get('/api/compliance/events/:seq', compliance, async (req, res) => {
    const { seq } = parse(SeqParam, req.params);
    res.json(eventBody(await viewEvent(audit, viewerOf(req), seq)));
  });

  router.get('/api/compliance/consents/:consentId/events', compliance, async (req, res) => {
    const { consentId } = parse(ConsentIdParam, req.params);
    const { after, limit } = parse(ConsentHistoryQuery, req.query);
    const page = await viewConsentHistory(audit, viewerOf(req), consentId, { after, limit: limit ?? 200 });
    res.json({ events: page.events.map(eventBody), nextCursor: page.nextCursor });
  });

  router.get('/api/compliance/activity', compliance, async (req, res) => {
    const { days } = parse(ActivityQuery, req.query);
    res.json(await viewActivity(audit, viewerOf(req), days ?? 30));
  });

  router.get('/api/compliance/checkpoints', compliance, async (req, res) => {
    parse(NoInput.omit({ _csrf: true }), req.query);
    const checkpoints = await listCheckpoints();
    res.json({ checkpoints: checkpoints.map((c) => ({ ...c, at: c.at.toISOString() })) });
  });

  router.post('/api/compliance/checkpoints', compliance, async (req, res) => {
    parse(NoInput, req.body ?? {});
    const checkpoint = await signCheckpoint(audit, viewerOf(req));
    if (!checkpoint) return res.status(409).json({ error: 'empty_log', message: 'The audit log is empty' });
    res.status(201).json({ ...checkpoint, at: checkpoint.at.toISOString() });
  });

  router.post('/api/compliance/verifications', compliance, async (req, res) => {
    parse(NoInput, req.body ?? {});
    const result = await verifyNow(audit, viewerOf(req));
    res.json({
      ok: result.ok,
      lastSeq: result.lastSeq,
      headHash: result.headHash,
      checkpointsChecked: result.checkpointsChecked,
      latestCheckpoint: result.latestCheckpoint && {
        ...result.latestCheckpoint,
        at: result.latestCheckpoint.at.toISOString(),
      },
      problem: result.problem,
      durationMs: result.durationMs,
    });
  });

  router.get('/api/compliance/export', compliance, async (req, res) => {
    const { format, ...filter } = parse(AuditExportQuery, req.query);
    await sendExport(req, res, audit, auditFilterOf(filter), format);
  });

  router.get('/api/compliance/evidence-pack', compliance, async (req, res) => {
    await sendEvidencePack(req, res, audit, auditFilterOf(parse(AuditEvidenceQuery, req.query)));
  });

  // Public: anyone holding a checkpoint or an evidence pack can check its signature.
  router.get('/.well-known/audit-keys.json', anyone, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json({ keys: [audit.keys.publicJwk] });
  });

  return router;
}
