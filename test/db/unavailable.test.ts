import assert from 'node:assert/strict';
import {
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoUnexpectedServerResponseError,
} from 'mongodb';
import { isDatabaseUnavailable } from '../../src/db/unavailable.js';
import { ServiceUnavailableError } from '../../src/errors.js';

describe('database unavailability', () => {
  const selection = new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:1', {} as never);

  it('is recognised in driver errors for a database that is down, restarting or failing over, and in their causes', () => {
    assert.ok(isDatabaseUnavailable(selection));
    assert.ok(isDatabaseUnavailable(new MongoNetworkError('connection 3 to 127.0.0.1:1 closed')));
    assert.ok(isDatabaseUnavailable(new MongoNetworkTimeoutError('timed out')));
    assert.ok(isDatabaseUnavailable(new MongoServerError({ message: 'not primary', code: 10107 })));
    assert.ok(isDatabaseUnavailable(new MongoServerError({ message: 'shutting down', code: 91 })));
    assert.ok(
      isDatabaseUnavailable(
        new MongoServerError({
          message:
            '[collection.go:135 sqlite.(*collection).InsertAll.func1] database is locked (5) (SQLITE_BUSY)',
          code: 1,
        }),
      ),
    );
    assert.ok(isDatabaseUnavailable(new ServiceUnavailableError('audit log unavailable', selection)));
    // The embedded database's reply to a find without its cursor, as the driver reports it.
    assert.ok(
      isDatabaseUnavailable(new MongoUnexpectedServerResponseError('BSON element "cursor" is missing')),
    );
  });

  it('is not claimed for errors that a retry would not cure', () => {
    assert.ok(!isDatabaseUnavailable(new MongoServerError({ message: 'E11000 duplicate key', code: 11000 })));
    assert.ok(!isDatabaseUnavailable(new MongoServerError({ message: 'bad query', code: 2 })));
    assert.ok(!isDatabaseUnavailable(new Error('boom')));
    assert.ok(!isDatabaseUnavailable(undefined));
  });
});
