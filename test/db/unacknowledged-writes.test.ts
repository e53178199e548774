import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Store } from 'express-session';
import { MongoClient, MongoUnexpectedServerResponseError, type CommandStartedEvent } from 'mongodb';
import { databaseName } from '../../src/db/database.js';
import { sessionStore, sweepExpiredSessions } from '../../src/http/session.js';
import { testDatabase } from '../helpers/root-hooks.js';

/** Runs `work` on a client of its own whose every command is recorded. */
async function withRecordedClient(work: (client: MongoClient, sent: CommandStartedEvent[]) => Promise<void>) {
  const client = new MongoClient(testDatabase.uri, { monitorCommands: true });
  const sent: CommandStartedEvent[] = [];
  client.on('commandStarted', (event) => sent.push(event));
  try {
    await work(client, sent);
  } finally {
    await client.close();
  }
}

const unacknowledged = (sent: CommandStartedEvent[]) =>
  sent.filter((e) => (e.command.writeConcern as { w?: unknown } | undefined)?.w === 0);

describe('no unacknowledged writes (docs/storage.md)', () => {
  it('why: the embedded engine answers one, and the connection’s next command takes that answer for its own', async function () {
    if (process.env.TEST_MONGODB_URI) this.skip(); // MongoDB proper sends no answer
    const client = new MongoClient(testDatabase.uri, { maxPoolSize: 1 });
    try {
      const probes = client.db(databaseName).collection<{ _id: string }>('unacknowledged_probes');
      const id = randomUUID();
      await probes.insertOne({ _id: id });
      assert.equal((await probes.findOne({ _id: id }))?._id, id, 'read as it should be');
      await probes.deleteMany({ _id: 'no such document' }, { writeConcern: { w: 0 } });
      // The find is handed the delete's `{n: 0, ok: 1}`, which has no cursor. (Whether the
      // find's own answer is then dropped or handed to the command after it depends on timing:
      // in runs of the whole suite a find was seen answered with another find's documents.)
      await assert.rejects(probes.findOne({ _id: id }), (error: Error) => {
        assert.ok(error instanceof MongoUnexpectedServerResponseError);
        assert.match(error.message, /"cursor" is missing/);
        return true;
      });
    } finally {
      await client.close();
    }
  });

  it('the session store sends none, whichever of its timers runs', async () => {
    await withRecordedClient(async (client, sent) => {
      const timers: (() => void)[] = [];
      const setInterval = globalThis.setInterval;
      globalThis.setInterval = ((callback: () => void, ms?: number) => {
        timers.push(callback);
        return setInterval(callback, ms);
      }) as typeof globalThis.setInterval;
      let store: Store;
      try {
        store = sessionStore(client, 60);
        // Its first read waits for the store to be set up, timers and all.
        await new Promise((resolve, reject) =>
          store.get(randomUUID(), (error) => (error ? reject(error as Error) : resolve(undefined))),
        );
      } finally {
        globalThis.setInterval = setInterval;
      }
      for (const timer of timers) timer();
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(sent.length > 0, 'the store’s commands are recorded');
      assert.deepEqual(
        unacknowledged(sent).map((e) => e.commandName),
        [],
      );
    });
  });

  it('expired sessions are removed by the server’s sweep, with an acknowledged delete, and live ones kept', async () => {
    await withRecordedClient(async (client, sent) => {
      const sessions = client.db(databaseName).collection<{ _id: string; expires: Date }>('sessions');
      const now = new Date();
      const expired = randomUUID();
      const live = randomUUID();
      await sessions.insertMany([
        { _id: expired, expires: new Date(now.getTime() - 1000) },
        { _id: live, expires: new Date(now.getTime() + 60_000) },
      ]);
      await sweepExpiredSessions(client, now);
      assert.equal(await sessions.countDocuments({ _id: expired }), 0);
      assert.equal(await sessions.countDocuments({ _id: live }), 1);
      assert.ok(sent.some((e) => e.commandName === 'delete'));
      assert.deepEqual(unacknowledged(sent), []);
      await sessions.deleteOne({ _id: live });
    });
  });
});
