import { MongoUnexpectedServerResponseError } from 'mongodb';
import mongoose from 'mongoose';
import type { Logger } from '../logger.js';

/** Query operations that only read: sending one again changes nothing. */
const reads = new Set(['find', 'findOne', 'countDocuments', 'estimatedDocumentCount', 'distinct']);
/** The waits before each new try; after the last, the error stands (a 503 to a request). */
const waitsMs = [10, 50, 250];

/** A query as it runs: mongoose keeps its operation in `op`, which its types leave out. */
type RunningQuery = mongoose.Query<unknown, unknown> & { op?: string };

let installed = false;

/**
 * Sends a read again when the database's answer could not be read (the driver's
 * `MongoUnexpectedServerResponseError`, such as a `find` answered without its cursor),
 * up to three more times, 10, 50 and 250 ms apart. The embedded engine gives such answers
 * now and then under load and answers the same read moments later (docs/storage.md,
 * "Answers the driver cannot read"); MongoDB never should, and then this never runs.
 * Writes are never sent again here: whether one took effect is for its repository to find out.
 *
 * Mongoose has no hook that can repeat a query, so this wraps `Query.prototype.exec`
 * once per process; a repeat runs a clone, as a query runs only once.
 */
export function rereadUnreadableAnswers(logger: Logger) {
  if (installed) return;
  installed = true;
  const exec = mongoose.Query.prototype.exec;
  mongoose.Query.prototype.exec = async function (this: RunningQuery, ...args: []) {
    if (!reads.has(this.op ?? '')) return exec.apply(this, args);
    for (let attempt = 0; ; attempt++) {
      try {
        return await exec.apply(attempt === 0 ? this : this.clone(), args);
      } catch (error) {
        if (!(error instanceof MongoUnexpectedServerResponseError) || attempt >= waitsMs.length) throw error;
        logger.warn(
          { collection: this.model?.collection.collectionName, op: this.op, attempt: attempt + 1 },
          'database answer could not be read; reading again',
        );
        await new Promise((resolve) => setTimeout(resolve, waitsMs[attempt]));
      }
    }
  } as typeof exec;
}
