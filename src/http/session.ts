import MongoStore from 'connect-mongo';
import session from 'express-session';
import type { MongoClient } from 'mongodb';
import type { Config } from '../config.js';
import { databaseName } from '../db/database.js';

const sessionsCollection = 'sessions';

/**
 * Sessions live in MongoDB so that several server processes share them. Expired
 * sessions are refused when read and removed by `sweepExpiredSessions` (no TTL index:
 * the embedded database does not support them).
 */
export function sessionMiddleware(config: Config, secret: string, client: MongoClient) {
  const ttlSeconds = config.SESSION_TTL_MINUTES * 60;
  return session({
    name: 'cm.sid',
    secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    store: sessionStore(client, ttlSeconds),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      maxAge: ttlSeconds * 1000,
    },
  });
}

export function sessionStore(client: MongoClient, ttlSeconds: number) {
  return oneAtATimePerSession(
    MongoStore.create({
      // connect-mongo is typed against its own copy of the driver; the client is the app's.
      client: client as unknown as Parameters<typeof MongoStore.create>[0]['client'],
      // The app's database, not the connection string's default (`test` when it names none).
      dbName: databaseName,
      collectionName: sessionsCollection,
      ttl: ttlSeconds,
      // Its interval removal deletes unacknowledged, which shifts a connection's answers
      // on the embedded database (docs/storage.md, "No unacknowledged writes").
      autoRemove: 'disabled',
      stringify: false,
    }),
  );
}

/** Removes expired sessions, with an acknowledged delete; the server's sweeper runs it every minute. */
export async function sweepExpiredSessions(client: MongoClient, now = new Date()) {
  await client
    .db(databaseName)
    .collection(sessionsCollection)
    .deleteMany({ expires: { $lt: now } });
}

type Callback = (...results: unknown[]) => void;
type StoreMethod = (sid: string, ...rest: unknown[]) => void;

/**
 * Runs the store's reads and writes of one session one after another, in the order asked.
 * Browsers follow a redirect as soon as its headers arrive, while the session is still being
 * saved or its expiry moved; on the embedded database an update is a read-modify-write, so
 * that late write used to put back the session as it was, losing what the next page had
 * just stored in it (its CSRF token: the next form then failed as expired). Queued, the next
 * request reads the session only once the last write is done, and writes after it.
 */
export function oneAtATimePerSession<S extends session.Store>(store: S): S {
  const pending = new Map<string, Promise<void>>();
  const methods = store as unknown as Record<'get' | 'set' | 'touch' | 'destroy', StoreMethod>;
  for (const name of ['get', 'set', 'touch', 'destroy'] as const) {
    const original = methods[name].bind(store);
    methods[name] = (sid: string, ...rest: unknown[]) => {
      const callback: Callback = typeof rest.at(-1) === 'function' ? (rest.pop() as Callback) : () => {};
      const run = (pending.get(sid) ?? Promise.resolve()).then(
        () =>
          new Promise<void>((resolve) => {
            original(sid, ...rest, (...results: unknown[]) => {
              resolve();
              callback(...results);
            });
          }),
      );
      pending.set(sid, run);
      void run.then(() => {
        if (pending.get(sid) === run) pending.delete(sid);
      });
    };
  }
  return store;
}
