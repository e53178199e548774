import assert from 'node:assert/strict';
import session from 'express-session';
import { oneAtATimePerSession } from '../../src/http/session.js';
import { buildTestApp } from '../helpers/app.js';
import { signedInAgent } from '../helpers/agent.js';
import { createPerson } from '../helpers/factories.js';

/** A store whose writes are read-modify-write of the whole session, slow to land, as on the embedded database. */
class ReadModifyWriteStore extends session.Store {
  readonly docs = new Map<string, session.SessionData>();
  constructor(private readonly touchMs: number) {
    super();
  }
  get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void) {
    setTimeout(() => cb(null, structuredClone(this.docs.get(sid)) ?? null), 1);
  }
  set(sid: string, s: session.SessionData, cb?: (err?: unknown) => void) {
    setTimeout(() => {
      this.docs.set(sid, structuredClone(s));
      cb?.();
    }, 1);
  }
  override touch(sid: string, s: session.SessionData, cb?: () => void) {
    const read = structuredClone(this.docs.get(sid));
    setTimeout(() => {
      if (read) this.docs.set(sid, { ...read, cookie: s.cookie });
      cb?.();
    }, this.touchMs);
  }
  destroy(sid: string, cb?: (err?: unknown) => void) {
    this.docs.delete(sid);
    cb?.();
  }
}

const call = <T>(fn: (cb: (err: unknown, value?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

describe('sessions: a redirect followed at once does not lose what the next page stores', () => {
  const cookie = { originalMaxAge: 1000 } as session.Cookie;

  it('control: without queueing, a slow touch puts back the session as it was (the failure the queue guards against)', async () => {
    const store = new ReadModifyWriteStore(30);
    await call<void>((cb) => store.set('s1', { cookie }, cb));
    store.touch('s1', { cookie }, () => undefined); // the redirect's expiry update, still in flight
    const read = await call<session.SessionData | null>((cb) => store.get('s1', cb)); // the next page
    await call<void>((cb) => store.set('s1', { ...read!, csrfToken: 'token' }, cb));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(store.docs.get('s1')?.csrfToken, undefined, 'lost');
  });

  it('queued per session, the next read waits for the touch and the new token stays', async () => {
    const store = oneAtATimePerSession(new ReadModifyWriteStore(30));
    await call<void>((cb) => store.set('s1', { cookie }, cb));
    store.touch('s1', { cookie }, () => undefined);
    const read = await call<session.SessionData | null>((cb) => store.get('s1', cb));
    await call<void>((cb) => store.set('s1', { ...read!, csrfToken: 'token' }, cb));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(store.docs.get('s1')?.csrfToken, 'token');
  });

  it('sessions of other people are not held up by a slow one', async () => {
    const store = oneAtATimePerSession(new ReadModifyWriteStore(200));
    await call<void>((cb) => store.set('slow', { cookie }, cb));
    await call<void>((cb) => store.set('other', { cookie }, cb));
    let slowDone = false;
    store.touch('slow', { cookie }, () => (slowDone = true));
    await call((cb) => store.get('other', cb));
    assert.equal(
      slowDone,
      false,
      "the other session's read finished while the slow touch was still in flight",
    );
  });

  it('end to end: people signing in at once can each use their first form', async function () {
    this.timeout(60_000);
    const app = buildTestApp();
    const people = await Promise.all(Array.from({ length: 6 }, () => createPerson('customer')));
    // signedInAgent follows the sign-in's redirect as soon as it arrives, as browsers do.
    const agents = await Promise.all(people.map((p) => signedInAgent(app, p)));
    const answers = await Promise.all(
      agents.map((a) => a.agent.post('/signout').type('form').send({ _csrf: a.csrf })),
    );
    assert.deepEqual(
      answers.map((r) => r.status),
      people.map(() => 303),
    );
  });
});
