import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { databaseName } from '../../src/db/database.js';
import { startEmbeddedDb, type EmbeddedDb } from '../../src/embedded-db/embedded-db.js';
import { embeddedDbBinary } from '../../src/paths.js';
import { findChainHead, type ChainHead } from '../../src/audit/audit-chain-head.js';
import { AuditIndexStateModel } from '../../src/audit/audit-index.model.js';
import { isDatabaseUnavailable } from '../../src/db/unavailable.js';
import { testIndexer } from './app.js';
import { lastLoggedProblems, runLogger, runLogPath } from './run-log.js';

/**
 * The whole test run shares one real database: the embedded one in a throwaway folder, or
 * the MongoDB that TEST_MONGODB_URI names (6 or later; its consent_manager database is
 * dropped first, so point it only at a database for tests). Tests never clean it: each
 * makes its own uniquely named data. Tests of the embedded database itself (its launcher,
 * supervisor and faults) start their own in either case.
 */
export const testDatabase: { uri: string; dataDir: string } = { uri: '', dataDir: '' };
let embedded: EmbeddedDb | undefined;

// Loaded with mocha's --file, so these are root hooks around every test file.
before(async function () {
  this.timeout(60_000);
  testDatabase.dataDir = await mkdtemp(join(tmpdir(), 'consent-manager-test-'));
  const given = process.env.TEST_MONGODB_URI;
  if (!given) {
    embedded = await startEmbeddedDb({
      binary: embeddedDbBinary,
      dataDir: join(testDatabase.dataDir, 'db'),
      logger: runLogger(),
    });
  }
  testDatabase.uri = given ?? embedded!.uri;
  await mongoose.connect(testDatabase.uri, { dbName: databaseName, autoIndex: false });
  if (given) await mongoose.connection.dropDatabase();
});

/**
 * Every server process runs the audit indexer in the background, so the events a search must
 * read one by one (those newer than the index) are never more than a second's worth. The
 * test process plays a server process without that timer, so between tests it indexes what
 * has piled up (the fuzzing alone writes thousands of events): otherwise a later customer
 * page reads the whole pile on every search, seconds per page. Within a test nothing is
 * indexed unless the test asks.
 */
let headHint: ChainHead | undefined;
afterEach(async function () {
  this.timeout(120_000);
  try {
    headHint = await findChainHead(headHint);
    const indexedThrough = (await AuditIndexStateModel.findById('progress').lean())?.indexedThrough ?? 0;
    if (headHint.seq - indexedThrough > 200) await testIndexer.runOnce();
  } catch (error) {
    // As a server's indexer does: a database that cannot answer now (or answers what the
    // driver cannot read, docs/storage.md) is tried again on the next pass, after the next test.
    if (!isDatabaseUnavailable(error)) throw error;
    runLogger().warn({ err: error }, 'audit indexing between tests failed; tried again after the next test');
  }
});

after(async function () {
  this.timeout(30_000);
  if (this.test?.parent && anyFailed(this.test.parent)) {
    const errors = lastLoggedProblems();
    console.log(
      `\n  The last warnings and errors the server code and the embedded database logged (all in ${runLogPath}):\n` +
        errors.map((line) => `    ${line}`).join('\n'),
    );
  }
  await mongoose.disconnect();
  await embedded?.stop();
  await rm(testDatabase.dataDir, { recursive: true, force: true });
});

function anyFailed(suite: Mocha.Suite): boolean {
  return suite.tests.some((t) => t.state === 'failed') || suite.suites.some(anyFailed);
}
