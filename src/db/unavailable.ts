import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoUnexpectedServerResponseError,
} from 'mongodb';

/**
 * Server error codes that mean "this server cannot serve you right now" rather than "this
 * request is wrong": shutting down, interrupted, not (or no longer) the primary.
 */
const unavailableCodes = new Set([
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * Whether an error means the database could not be reached (down, restarting, failing
 * over) or was too busy to answer, as opposed to a bug or a bad request. Requests that fail this way are answered
 * 503 (the OB API with code U014), and the driver reconnects on its own once the
 * database is back. The error itself or any of its causes counts.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (
      e instanceof MongoNetworkError || // includes time-outs and a cleared connection pool
      e instanceof MongoServerSelectionError ||
      e instanceof MongoTopologyClosedError ||
      e instanceof MongoServerClosedError ||
      e instanceof MongoNotConnectedError ||
      e.name === 'MongooseServerSelectionError'
    )
      return true;
    if (e instanceof MongoError && (e.hasErrorLabel('ResetPool') || unavailableCodes.has(Number(e.code))))
      return true;
    // The embedded database (FerretDB on SQLite) waited 10 s for a write lock and gave up:
    // busy, not broken (seen with two server processes under load on a starved machine).
    if (e instanceof MongoError && /\(SQLITE_BUSY\)/.test(e.message)) return true;
    // A reply the driver cannot read (the embedded database answering a `find` without its
    // `cursor`, seen under load): the database misbehaved, the request was not wrong, and
    // the same request a moment later is answered. docs/storage.md, "answers the driver cannot read".
    if (e instanceof MongoUnexpectedServerResponseError) return true;
  }
  return false;
}
