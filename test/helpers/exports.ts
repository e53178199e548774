import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ExportJobModel } from '../../src/compliance/export-job.model.js';
import type { Agent } from './agent.js';

/**
 * Prepares an export from the pages as an officer does (the review page's form), waits
 * until its page stops saying it is being prepared, and returns its id and that page.
 */
export async function prepareExport(agent: Agent, csrf: string, form: Record<string, string>) {
  const started = await agent
    .post('/compliance/exports')
    .type('form')
    .send({ _csrf: csrf, ...form })
    .expect(303);
  const location = started.headers.location!;
  const id = /^\/compliance\/exports\/([\w-]+)$/.exec(location)?.[1];
  assert.ok(id, `redirected to the export's page, not ${location}`);
  for (let i = 0; i < 600; i++) {
    const page = await agent.get(location).expect(200);
    if (!/Preparing…|Verifying the whole audit log first…/.test(page.text)) return { id, page: page.text };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`export ${id} was still being prepared after a minute`);
}

/** Downloads a prepared export as text. */
export async function downloadText(agent: Agent, id: string) {
  return agent
    .get(`/compliance/exports/${id}/download`)
    .buffer(true)
    .parse((res, callback) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => callback(null, text));
    })
    .expect(200);
}

/**
 * A finished evidence pack of the officer's, written straight to the database: an empty one,
 * for tests that call its pages (preparing a real one verifies the whole log).
 */
export async function finishedEvidencePack(id: string, officer: { id: string; email: string }) {
  const at = new Date();
  await ExportJobModel.create({
    _id: id,
    status: 'done',
    phase: 'writing',
    format: 'evidence-pack',
    filter: {},
    words: ['Every event in the log'],
    startedBy: officer.id,
    startedAt: at,
    updatedAt: at,
    finishedAt: at,
    count: 0,
    bytes: 0,
    chunks: 0,
    sha256: createHash('sha256').digest('hex'),
    cover: {
      verification: { ok: true, lastSeq: 0, headHash: '', checkpointsChecked: 0, startedAt: at },
      key: { id: 'test', fingerprint: '00' },
      preparedBy: officer.email,
    },
  });
}
