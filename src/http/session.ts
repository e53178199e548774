import MongoStore from 'connect-mongo';
import session from 'express-session';
import type { MongoClient } from 'mongodb';
import type { Config } from '../config.js';
import { databaseName } from '../db/database.js';

/**
 * Sessions live in MongoDB so that several server processes share them. Expired
 * sessions are refused when read and removed by connect-mongo's interval sweep (no TTL
 * index: the embedded database does not support them).
 */
export function sessionMiddleware(config: Config, secret: string, client: MongoClient) {
  const ttlSeconds = config.SESSION_TTL_MINUTES * 60;
  return session({
    name: 'cm.sid',
    secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: config.TRUST_PROXY,
    store: MongoStore.create({
      client: client as never,
      // The app's database, not the connection string's default (`test` when it names none).
      dbName: databaseName,
      collectionName: 'sessions',
      ttl: ttlSeconds,
      autoRemove: 'interval',
      autoRemoveInterval: 10,
      stringify: false,
    }),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      maxAge: ttlSeconds * 1000,
    },
  });
}
