import assert from 'node:assert/strict';
import { MongoUnexpectedServerResponseError } from 'mongodb';
import { BalanceModel } from '../../src/accounts/balance.model.js';
import { connectedApp, readData, startOAuthServer } from '../helpers/oauth-client.js';

describe('data API: a database answer the driver cannot read', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;
  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => server?.close());

  it('is answered 503 with the OB code for an unavailable service, not 500, and the next read works', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic', 'ReadBalances']);
    const findById = BalanceModel.findById.bind(BalanceModel);
    // An answer the driver cannot read, such as a find answered without its cursor (as the
    // embedded database did after an unacknowledged write: docs/storage.md), is this error.
    BalanceModel.findById = (() => {
      throw new MongoUnexpectedServerResponseError('BSON element "cursor" is missing');
    }) as unknown as typeof BalanceModel.findById;
    try {
      const refused = await readData(server.issuer, s.c, s.tokens.access_token, '/balances');
      assert.equal(refused.status, 503);
      assert.equal(refused.body.Errors?.[0]?.ErrorCode, 'U014');
    } finally {
      BalanceModel.findById = findById;
    }
    const read = await readData(server.issuer, s.c, s.tokens.access_token, '/balances');
    assert.equal(read.status, 200);
  });
});
