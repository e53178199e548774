import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { buildTestApp, createTestAuditLog, testIndexer } from '../helpers/app.js';
import {
  anonymousAgent,
  failedSignIns as refusedSignIns,
  signedInAgent,
  type Agent,
} from '../helpers/agent.js';
import { lastAuditEventWhere } from '../helpers/audit.js';
import { createPerson, type TestPerson } from '../helpers/factories.js';
import { csrfFrom } from '../helpers/agent.js';
import { textOf } from '../helpers/page-text.js';
import { downloadText, prepareExport } from '../helpers/exports.js';

describe('compliance pages', function () {
  this.timeout(30_000);
  let app: Express;
  let officer: TestPerson;
  let agent: Agent;
  let officerCsrf: string;
  const indexer = testIndexer;

  /** `times` sign-ins with a wrong password, in the log and indexed. */
  const failedSignIns = async (person: TestPerson, times: number) => {
    await refusedSignIns(app, person, times);
    await indexer.catchUp();
  };

  before(async () => {
    app = buildTestApp();
    officer = await createPerson('compliance');
    ({ agent, csrf: officerCsrf } = await signedInAgent(app, officer));
  });

  it('a filter the search refuses offers no export: an export without it would be the whole log', async () => {
    const customer = await createPerson('customer');
    const refused = await agent
      .get('/compliance')
      .query({ customerId: customer.customerId, from: '2026-13-40' })
      .expect(422);
    assert.match(refused.text, /The search did not run, so nothing is shown and nothing can be exported/);
    assert.doesNotMatch(refused.text, /\/compliance\/export|\/compliance\/evidence-pack/, 'no export link');
    assert.doesNotMatch(refused.text, /No events match/, 'the search did not run, so it found nothing');
  });

  it('an export says what it holds before it starts, and carries the filter exactly as the search understood it', async () => {
    const customer = await createPerson('customer');
    await failedSignIns(customer, 2);
    const page = await agent
      .get('/compliance')
      .query({ customerId: customer.customerId, from: '2026-11-25T09:30', outcome: '' })
      .expect(200);
    const review = /href="(\/compliance\/export\/review\?[^"]*)"/
      .exec(page.text)![1]!
      .replaceAll('&amp;', '&');
    const reviewed = await agent.get(review).expect(200);
    const text = textOf(reviewed.text);
    assert.match(text, /Export 2 events/);
    assert.match(
      text,
      new RegExp(`Customer: ${customer.name} \\(${customer.email}\\), customer ID ${customer.customerId}`),
    );
    assert.match(text, /From 25 Nov 2026, 09:30 UTC/);
    // The form carries the filter exactly as searched, and the count it showed.
    const fields = Object.fromEntries(
      [...reviewed.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    assert.equal(fields.customerId, customer.customerId);
    assert.equal(fields.from, '2026-11-25T09:30:00.000Z', 'the time as searched (UTC)');
    assert.equal('outcome' in fields, false);
    assert.equal(fields.expected, '2');
    assert.match(text, /Prepare CSV/);
    assert.match(text, /Prepare the signed evidence pack, with a printable cover/);
  });

  it('every sign-in, success or failure, appears in the log and can be filtered to and exported', async () => {
    const customer = await createPerson('customer');
    const { agent: visitor, csrf } = await anonymousAgent(app);
    await visitor
      .post('/signin')
      .type('form')
      .send({ _csrf: csrf, email: customer.email, password: 'wrong' })
      .expect(401);
    await visitor
      .post('/signin')
      .type('form')
      .send({ _csrf: csrf, email: customer.email, password: customer.password })
      .expect(303);
    await indexer.catchUp();

    const failed = await agent
      .get('/compliance')
      .query({ customerId: customer.customerId, action: 'auth.sign_in_failed' })
      .expect(200);
    assert.match(failed.text, /<span class="tag" title="auth\.sign_in_failed">Sign-in failed<\/span>/);
    assert.match(failed.text, /wrong_password/);
    assert.doesNotMatch(failed.text, /title="auth\.signed_in"/);
    // Names, with the id one click away.
    assert.match(
      failed.text,
      new RegExp(
        `<a href="/compliance\\?customerId=${customer.customerId}" title="${customer.customerId}">${customer.name}</a><br><span class="small muted">${customer.email}</span>`,
      ),
    );

    const succeeded = await agent
      .get('/compliance')
      .query({ customerId: customer.customerId, action: 'auth.signed_in' })
      .expect(200);
    assert.match(succeeded.text, /<span class="tag" title="auth\.signed_in">Signed in<\/span>/);

    const { id } = await prepareExport(agent, officerCsrf, {
      customerId: customer.customerId!,
      format: 'csv',
    });
    const csv = await downloadText(agent, id);
    assert.match(csv.headers['content-type']!, /text\/csv/);
    assert.match(csv.headers['content-disposition']!, /attachment; filename="audit-export-/);
    const lines = (csv.body as string).trim().split('\n');
    assert.equal(lines[0]!.split(',')[0], 'seq');
    assert.equal(lines.length, 3, 'header, the failure and the success');
    assert.ok(
      lines[1]!.includes('auth.sign_in_failed') && lines[2]!.includes('auth.signed_in'),
      'oldest first',
    );

    const exported = await lastAuditEventWhere({ action: 'audit.exported', 'actor.id': officer.id });
    assert.equal(exported?.details?.customerId, customer.customerId);
    assert.equal(exported?.details?.count, 2, 'the download is recorded with its number of events');
    assert.equal(exported?.details?.exportId, id);
  });

  it('finds a customer by the e-mail they sign in with; an unknown e-mail is refused and offers no export', async () => {
    const customer = await createPerson('customer');
    await failedSignIns(customer, 1);
    const found = await agent
      .get('/compliance')
      .query({ customerId: customer.email.toUpperCase() })
      .expect(200);
    assert.match(found.text, /title="auth\.sign_in_failed">Sign-in failed</);
    assert.match(found.text, new RegExp(`/compliance/export/review\\?customerId=${customer.customerId}"`));

    const unknown = await agent.get('/compliance').query({ customerId: 'nobody@example.com' }).expect(422);
    assert.match(unknown.text, /No customer signs in with this e-mail address/);
    assert.doesNotMatch(unknown.text, /\/compliance\/export/);
  });

  it('can leave out staff’s views of the log, and pages newer as well as older', async () => {
    const clientId = `app-${randomUUID().slice(0, 8)}`;
    const audit = createTestAuditLog();
    for (let i = 0; i < 5; i++)
      await audit.record({
        action: 'data.accessed',
        actor: { type: 'app', id: clientId },
        clientId,
        outcome: 'success',
      });
    await indexer.catchUp();
    await agent.get('/compliance').expect(200);
    const all = await agent.get('/compliance').query({ limit: 3 }).expect(200);
    assert.match(all.text, /title="audit\.viewed"/, 'the officer’s own views are at the top');
    const hidden = await agent.get('/compliance').query({ limit: 3, hideViews: '1' }).expect(200);
    assert.doesNotMatch(hidden.text, /title="audit\.viewed"/);
    assert.match(hidden.text, /\/compliance\/export\/review\?hideViews=1"/, 'exports leave them out too');

    const first = await agent.get('/compliance').query({ clientId, limit: 2 }).expect(200);
    const seqs = (html: string) => [...html.matchAll(/aria-label="Event (\d+)"/g)].map((m) => Number(m[1]));
    const older = /href="([^"]+)" rel="next"/.exec(first.text)![1]!.replaceAll('&amp;', '&');
    const second = await agent.get(older).expect(200);
    const newer = /href="([^"]+)" rel="prev"/.exec(second.text)![1]!.replaceAll('&amp;', '&');
    const back = await agent.get(newer).expect(200);
    assert.deepEqual(seqs(back.text), seqs(first.text), 'newer from the second page is the first page again');
    assert.ok(seqs(second.text)[0]! < seqs(first.text).at(-1)!, 'older events are older');
    assert.match(second.text, /rel="first">Newest</);
  });

  it('an event opened from a search leads back to that search, and to nothing else', async () => {
    const clientId = `app-${randomUUID().slice(0, 8)}`;
    await createTestAuditLog().record({
      action: 'data.accessed',
      actor: { type: 'app', id: clientId },
      clientId,
      outcome: 'success',
    });
    await indexer.catchUp();
    const search = await agent.get('/compliance').query({ clientId, outcome: 'success' }).expect(200);
    const link = /href="(\/compliance\/events\/\d+\?back=[^"]+)"/
      .exec(search.text)![1]!
      .replaceAll('&amp;', '&');
    const event = await agent.get(link).expect(200);
    const back = /<a href="([^"]*)">← Audit log<\/a>/.exec(event.text)![1]!.replaceAll('&amp;', '&');
    assert.equal(back, `/compliance?clientId=${clientId}&outcome=success`);
    const forged = await agent
      .get(link.replace(/back=.*/, `back=${encodeURIComponent('next=https://evil.example&clientId=x$')}`))
      .expect(200);
    assert.match(forged.text, /<a href="\/compliance">← Audit log<\/a>/);
  });

  it('records each view of the log as an audit event', async () => {
    const consentId = `consent-${randomUUID()}`;
    await agent.get('/compliance').query({ consentId }).expect(200);
    const viewed = await lastAuditEventWhere({ action: 'audit.viewed', 'actor.id': officer.id });
    assert.equal(viewed?.resource, 'events');
    assert.equal(viewed?.details?.consentId, consentId);
  });

  it('pages deep into the log by cursor', async () => {
    const audit = createTestAuditLog();
    const clientId = `app-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 7; i++) {
      await audit.record({
        action: 'data.accessed',
        actor: { type: 'app', id: clientId },
        clientId,
        outcome: 'success',
      });
    }
    const first = await agent.get('/compliance').query({ clientId, limit: 5 }).expect(200);
    const next = /href="([^"]+)" rel="next"/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(next, 'there is a link to older events');
    const second = await agent.get(next).expect(200);
    assert.equal(
      (second.text.match(/<span class="tag" title="data\.accessed">Data read<\/span>/g) ?? []).length,
      2,
    );
    assert.doesNotMatch(second.text, /rel="next"/);
  });

  it('shows one event in detail and a consent’s history', async () => {
    const audit = createTestAuditLog();
    const consentId = `consent-${randomUUID()}`;
    const created = await audit.record({
      action: 'consent.created',
      actor: { type: 'app', id: 'app-x' },
      clientId: 'app-x',
      consentId,
      outcome: 'success',
      permissions: ['ReadAccountsBasic'],
    });
    await audit.record({
      action: 'consent.authorised',
      actor: { type: 'customer', id: 'c' },
      consentId,
      outcome: 'success',
    });
    const detail = await agent.get(`/compliance/events/${created.seq}`).expect(200);
    assert.match(detail.text, new RegExp(created.hash));
    assert.match(detail.text, /ReadAccountsBasic/);
    const history = await agent.get(`/compliance/consents/${consentId}`).expect(200);
    assert.ok(
      history.text.indexOf('consent.created') < history.text.indexOf('consent.authorised'),
      'oldest first',
    );
    await agent.get('/compliance/events/999999999').expect(404);
  });

  it('shows per-app activity with refusals grouped by reason', async () => {
    const audit = createTestAuditLog();
    const clientId = `app-${randomUUID().slice(0, 8)}`;
    for (const reason of ['permission_missing', 'permission_missing', 'account_not_in_consent']) {
      await audit.record({
        action: 'data.denied',
        actor: { type: 'app', id: clientId },
        clientId,
        outcome: 'failure',
        reason,
      });
    }
    await indexer.catchUp();
    const page = await agent.get('/compliance/activity').query({ days: 7 }).expect(200);
    assert.match(
      page.text,
      new RegExp(
        `${clientId}[\\s\\S]*Permission missing</span>: 2[\\s\\S]*Account not in the consent</span>: 1`,
      ),
    );
    assert.match(page.text, /<script src="\/public\/vendor\/chart\.umd\.min\.js" defer><\/script>/);
    // The chart's axis is every day of the period, not only days with events.
    const days = /data-days="([^"]*)"/.exec(page.text)![1]!.split(',');
    assert.equal(days.length, 7);
    assert.equal(new Set(days).size, 7);
    // Events no app made are named as such and kept out of the chart's data.
    assert.doesNotMatch(page.text, /data-app="\(none\)"/);
    assert.match(page.text, /Not from an app \(sign-ins, staff\)/);
    const chartLibrary = await request(app).get('/public/vendor/chart.umd.min.js').expect(200);
    assert.match(chartLibrary.headers['content-type']!, /javascript/);
  });

  it('verifies the log on request and shows the verdict', async () => {
    const page = await agent.get('/compliance/integrity').expect(200);
    const csrf = csrfFrom(page.text);
    const started = await agent
      .post('/compliance/integrity/verify')
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    let text = '';
    for (let i = 0; i < 300; i++) {
      text = (await agent.get(started.headers.location!).expect(200)).text;
      if (!text.includes('Verifying…')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(text, /<strong>Intact\.<\/strong>/);
    assert.doesNotMatch(text, /http-equiv="refresh"/, 'the page never reloads itself');
    const integrity = await agent.get('/compliance/integrity').expect(200);
    assert.match(integrity.text, /Last verification, started .+? UTC by \S+:\s+intact, \d+ events checked\./);
    assert.match(integrity.text, /id="verification-runs"/);
    const signed = await agent
      .post('/compliance/integrity/checkpoints')
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    const after = await agent.get(signed.headers.location!).expect(200);
    assert.match(after.text, /Signed a checkpoint of the chain at event \d+/);
  });

  it('refuses a bad filter with 422, naming the field, and records nothing', async () => {
    const res = await agent
      .get('/compliance')
      .query({ from: 'yesterday', action: 'data.stolen' })
      .expect(422);
    assert.match(res.text, /<a href="#from">from<\/a>: must be a date/);
    assert.match(res.text, /<a href="#action">action<\/a>/);
  });

  it('is closed to customers, admins and anonymous visitors', async () => {
    const paths = [
      '/compliance',
      '/compliance/activity',
      '/compliance/integrity',
      '/compliance/export/review',
      `/compliance/exports/${randomUUID()}`,
      '/compliance/events/1',
      '/compliance/consents/x',
    ];
    for (const role of ['customer', 'admin'] as const) {
      const { agent: other } = await signedInAgent(app, await createPerson(role));
      for (const path of paths) await other.get(path).expect(403);
    }
    for (const path of paths) await request(app).get(path).expect(303);
  });
});
