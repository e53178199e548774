import { Router } from 'express';
import type { AuditLog } from '../audit/audit-log.js';
import { requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';
import { AuditEvidenceQuery, auditFilterOf, ExportForm, ExportIdParam } from './compliance.schemas.js';
import {
  downloadExport,
  evidenceCover,
  ownExport,
  recentExportsOf,
  startExport,
} from './export-job.service.js';
import { reviewExport } from './export-review.service.js';
import { filterQuery } from './search-links.js';
import { viewerOf } from './viewer.js';

const compliance = requireRole('compliance');

/** How the pages name formats and states. */
const words = {
  formatWords: { csv: 'CSV', jsonl: 'JSON Lines', 'evidence-pack': 'Signed evidence pack' },
  stateWords: {
    running: 'Being prepared',
    done: 'Ready',
    failed: 'Could not be prepared',
    stopped: 'Stopped before it finished',
    expired: 'Removed after a day',
  },
};

const fileNames = { csv: 'audit-export', jsonl: 'audit-export', 'evidence-pack': 'audit-evidence' };
const fileTypes = {
  csv: { type: 'text/csv; charset=utf-8', extension: 'csv' },
  jsonl: { type: 'application/x-ndjson; charset=utf-8', extension: 'jsonl' },
  'evidence-pack': { type: 'application/x-ndjson; charset=utf-8', extension: 'jsonl' },
};

/**
 * Exports from the pages: the review (the filter in words and its count), then an export
 * prepared in the background with a progress page, its download and, for an evidence
 * pack, its printable cover. The JSON API streams exports directly instead.
 */
export function exportPageRoutes(audit: AuditLog, publicUrl: string) {
  const router = Router();
  const keysUrl = new URL('/.well-known/audit-keys.json', publicUrl).href;

  router.get('/compliance/export/review', compliance, async (req, res) => {
    const query = parse(AuditEvidenceQuery, req.query);
    const exportQuery = filterQuery(query);
    res.render('compliance/export-review.njk', {
      ...(await reviewExport(auditFilterOf(query), audit.keys)),
      exportQuery,
      exportFields: [...new URLSearchParams(exportQuery)],
      recent: await recentExportsOf(viewerOf(req)),
      ...words,
    });
  });

  router.post('/compliance/exports', compliance, async (req, res) => {
    const { format, expected, _csrf, ...filter } = parse(ExportForm, req.body);
    const id = await startExport(audit, viewerOf(req), {
      filter: auditFilterOf(filter),
      format,
      expected: expected ?? 0,
    });
    res.redirect(303, `/compliance/exports/${id}`);
  });

  router.get('/compliance/exports/:id', compliance, async (req, res) => {
    const { id } = parse(ExportIdParam, req.params);
    res.render('compliance/export-job.njk', {
      job: await ownExport(viewerOf(req), id),
      ...words,
    });
  });

  router.get('/compliance/exports/:id/download', compliance, async (req, res) => {
    const { id } = parse(ExportIdParam, req.params);
    const { job, chunks } = await downloadExport(audit, viewerOf(req), id);
    const file = fileTypes[job.format];
    const stamp = job.startedAt.toISOString().replaceAll(':', '').slice(0, 15);
    res.set({
      'Content-Type': file.type,
      'Content-Disposition': `attachment; filename="${fileNames[job.format]}-${stamp}.${file.extension}"`,
      'Content-Length': String(job.bytes),
    });
    try {
      for await (const chunk of chunks) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    } catch (error) {
      // Headers are gone; cut the response so the client sees an incomplete download.
      req.log.error({ err: error }, 'export download failed mid-stream');
      res.destroy(error as Error);
    }
  });

  router.get('/compliance/exports/:id/cover', compliance, async (req, res) => {
    const { id } = parse(ExportIdParam, req.params);
    res.render('compliance/evidence-cover.njk', { job: await evidenceCover(viewerOf(req), id), keysUrl });
  });

  return router;
}
