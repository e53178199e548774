import type { Request, Response } from 'express';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditFilter } from '../audit/audit-query.repository.js';
import { writeCsvExport, writeEvidencePack, writeJsonLinesExport } from './audit-export.js';
import { describeFilter, recordExport, verifyNow } from './compliance.service.js';
import { viewerOf } from './viewer.js';

const stamp = () => new Date().toISOString().replaceAll(':', '').slice(0, 15);

/** Streams an export. The export is recorded before the first byte is sent. */
export async function sendExport(
  req: Request,
  res: Response,
  audit: AuditLog,
  filter: AuditFilter,
  format: 'csv' | 'jsonl',
) {
  await recordExport(audit, viewerOf(req), format, describeFilter(filter));
  res.set({
    'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': `attachment; filename="audit-export-${stamp()}.${format}"`,
    'Cache-Control': 'no-store',
  });
  await streamInto(req, res, (out) =>
    format === 'csv'
      ? writeCsvExport(out, filter, audit.keys)
      : writeJsonLinesExport(out, filter, audit.keys),
  );
}

/** Verifies the chain, then streams the evidence pack with the result and the checkpoint it was checked against. */
export async function sendEvidencePack(req: Request, res: Response, audit: AuditLog, filter: AuditFilter) {
  const viewer = viewerOf(req);
  const verification = await verifyNow(audit, viewer);
  await recordExport(audit, viewer, 'evidence-pack', describeFilter(filter));
  const checkpoint = verification.latestCheckpoint;
  res.set({
    'Content-Type': 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': `attachment; filename="audit-evidence-${stamp()}.jsonl"`,
    'Cache-Control': 'no-store',
  });
  await streamInto(req, res, (out) =>
    writeEvidencePack(out, filter, {
      verification,
      checkpoint,
      keys: audit.keys,
      generatedBy: viewer.user.id,
    }),
  );
}

async function streamInto(req: Request, res: Response, write: (out: Response) => Promise<number>) {
  try {
    const count = await write(res);
    req.log.info({ count }, 'audit export streamed');
    res.end();
  } catch (error) {
    // Headers are gone; cut the response so the client sees an incomplete download, not a short file.
    req.log.error({ err: error }, 'audit export failed mid-stream');
    res.destroy(error as Error);
  }
}
