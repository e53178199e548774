import assert from 'node:assert/strict';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createHash, randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { ExportChunkModel, ExportJobModel } from '../../src/compliance/export-job.model.js';
import {
  exportFileChunks,
  exportFileWriter,
  removeExportFile,
} from '../../src/compliance/export-job.repository.js';
import { buildTestApp, testConfig, testIndexer } from '../helpers/app.js';
import { failedSignIns, signedInAgent, type Agent } from '../helpers/agent.js';
import { lastAuditEventWhere } from '../helpers/audit.js';
import { downloadText, prepareExport } from '../helpers/exports.js';
import { createPerson, type TestPerson } from '../helpers/factories.js';
import { textOf } from '../helpers/page-text.js';

describe('exports prepared in the background', function () {
  this.timeout(60_000);
  let app: Express;
  let officer: TestPerson;
  let agent: Agent;
  let csrf: string;
  let customer: TestPerson;

  before(async () => {
    app = buildTestApp();
    officer = await createPerson('compliance');
    ({ agent, csrf } = await signedInAgent(app, officer));
    customer = await createPerson('customer');
    await failedSignIns(app, customer, 3);
    await testIndexer.catchUp();
  });

  it('an evidence pack verifies the log, then is ready with a cover that matches the file', async () => {
    const { id, page } = await prepareExport(agent, csrf, {
      customerId: customer.customerId!,
      format: 'evidence-pack',
      expected: '3',
    });
    const text = textOf(page);
    assert.match(text, /Signed evidence pack export/);
    assert.match(text, /Ready\. 3 events, [\d.]+ kB\./);
    assert.match(text, new RegExp(`Customer: ${customer.name}`));
    assert.doesNotMatch(page, /http-equiv="refresh"/, 'the page never reloads itself');

    const download = await downloadText(agent, id);
    const file = download.body as string;
    const lines = file
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines[0]!.type, 'evidence-pack');
    assert.deepEqual(
      lines.filter((l) => l.type === 'event').map((l) => l.action),
      ['auth.sign_in_failed', 'auth.sign_in_failed', 'auth.sign_in_failed'],
    );
    assert.equal(lines.at(-1)!.events, 3);
    assert.equal(download.headers['content-length'], String(Buffer.byteLength(file)));

    const downloaded = await lastAuditEventWhere({ action: 'audit.exported', 'actor.id': officer.id });
    assert.equal(downloaded?.resource, 'evidence-pack');
    assert.deepEqual(
      { customerId: downloaded?.details?.customerId, count: downloaded?.details?.count },
      { customerId: customer.customerId, count: 3 },
    );

    const cover = textOf((await agent.get(`/compliance/exports/${id}/cover`).expect(200)).text);
    assert.match(cover, /Events in the extract 3/);
    assert.match(cover, new RegExp(`SHA-256 ${createHash('sha256').update(file).digest('hex')}`));
    assert.match(cover, /Intact\. All \d+ events and \d+ signed checkpoints verified\./);
    assert.match(cover, /Fingerprint \(SHA-256\): ([0-9a-f]{2}:){31}[0-9a-f]{2}/);
    assert.match(cover, new RegExp(`${testConfig().publicUrl}/.well-known/audit-keys.json`));
    assert.match(cover, new RegExp(`by ${officer.email}`));
  });

  it('is the officer’s own: another officer finds no such export; the owner sees it in the day’s list', async () => {
    const { id } = await prepareExport(agent, csrf, { customerId: customer.customerId!, format: 'jsonl' });
    const other = await signedInAgent(app, await createPerson('compliance'));
    for (const path of ['', '/download', '/cover'])
      await other.agent.get(`/compliance/exports/${id}${path}`).expect(404);
    const review = await agent.get('/compliance/export/review').query({ customerId: customer.customerId });
    assert.match(review.text, new RegExp(`<a href="/compliance/exports/${id}">`));
    assert.match(textOf(review.text), /JSON Lines .*Ready: 3 events/);
    // A CSV or JSON Lines export has no cover.
    await agent.get(`/compliance/exports/${id}/cover`).expect(404);
  });

  it('shows progress in words and as a bar while it is prepared, without reloading itself', async () => {
    const running = await agedJob({ status: 'running', phase: 'writing', done: 40, expected: 100 }, 0);
    const writing = await agent.get(`/compliance/exports/${running}`).expect(200);
    assert.match(textOf(writing.text), /Preparing… 40 of about 100 events written\./);
    assert.match(writing.text, /<progress max="100" value="40" aria-label="Events written">/);
    assert.match(writing.text, /aria-live="polite"/);
    assert.doesNotMatch(writing.text, /http-equiv="refresh"/);
    await agent.get(`/compliance/exports/${running}/download`).expect(404);

    await ExportJobModel.updateOne({ _id: running }, { $set: { phase: 'verifying', done: 7, total: 90 } });
    const verifying = await agent.get(`/compliance/exports/${running}`).expect(200);
    assert.match(textOf(verifying.text), /Verifying the whole audit log first… 7 of 90 events checked\./);
  });

  it('says plainly when an export stopped with its server, and removes a day-old export and its file', async () => {
    const stopped = await agedJob({ status: 'running', phase: 'writing', done: 40 }, 5 * 60_000);
    const page = textOf((await agent.get(`/compliance/exports/${stopped}`).expect(200)).text);
    assert.match(page, /This export stopped before it finished .* Nothing was exported\./);

    const { id } = await prepareExport(agent, csrf, { customerId: customer.customerId!, format: 'csv' });
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    await ExportJobModel.updateOne({ _id: id }, { $set: { startedAt: dayAgo } });
    assert.match(
      textOf((await agent.get(`/compliance/exports/${id}`).expect(200)).text),
      /This export was kept for a day and has been removed\./,
    );
    await agent.get(`/compliance/exports/${id}/download`).expect(404);

    await prepareExport(agent, csrf, { customerId: customer.customerId!, format: 'csv' });
    assert.equal(await ExportJobModel.findById(id).lean(), null, 'the day-old export is gone');
    assert.equal(await ExportChunkModel.findById(`${id}#0`).lean(), null, 'and its file');
  });

  it('stores a file of several megabytes in chunks and reads it back byte for byte', async () => {
    const id = randomUUID();
    const writer = exportFileWriter(id);
    const parts = Array.from({ length: 25 }, (_, i) => Buffer.alloc(100_003, i));
    for (const part of parts) if (!writer.stream.write(part)) await once(writer.stream, 'drain');
    writer.stream.end();
    await finished(writer.stream);
    const stored = writer.stored();
    const whole = Buffer.concat(parts);
    assert.equal(stored.bytes, whole.length);
    assert.equal(stored.chunks, 3, '2.5 MB in chunks of 1 MiB');
    assert.equal(stored.sha256, createHash('sha256').update(whole).digest('hex'));
    const read: Buffer[] = [];
    for await (const chunk of exportFileChunks(id, stored.chunks)) read.push(Buffer.from(chunk));
    assert.ok(Buffer.concat(read).equals(whole));
    await removeExportFile(id);
    assert.equal(await ExportChunkModel.findById(`${id}#0`).lean(), null);
  });

  /** A job of the officer's, as if its process last wrote `silentForMs` ago. */
  async function agedJob(fields: Record<string, unknown>, silentForMs: number) {
    const id = randomUUID();
    const at = new Date(Date.now() - silentForMs);
    await ExportJobModel.create({
      _id: id,
      format: 'csv',
      filter: {},
      words: ['Every event in the log'],
      startedBy: officer.id,
      startedAt: at,
      updatedAt: at,
      ...fields,
    });
    return id;
  }
});
