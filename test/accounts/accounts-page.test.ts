import assert from 'node:assert/strict';
import type { Express } from 'express';
import { formatMoney } from '../../src/http/views.js';
import { buildTestApp } from '../helpers/app.js';
import { signedInAgent } from '../helpers/agent.js';
import { createCustomerWithAccounts } from '../helpers/factories.js';

describe('GET /my/accounts', () => {
  let app: Express;
  before(() => {
    app = buildTestApp();
  });

  it('shows the customer their own accounts with balances, never full card numbers, and is not cached', async () => {
    const { person, accounts } = await createCustomerWithAccounts(30);
    const { agent } = await signedInAgent(app, person);
    const res = await agent.get('/my/accounts').expect(200);
    assert.equal(res.headers['cache-control'], 'no-store');
    for (const account of accounts) {
      assert.ok(res.text.includes(account.nickname), account.nickname);
      assert.ok(
        res.text.includes(formatMoney(account.balance.bookedMinor, 'GBP').replace('£', '&pound;')) ||
          res.text.includes(formatMoney(account.balance.bookedMinor, 'GBP')),
      );
      assert.ok(!res.text.includes(account.pan), 'full card number is not shown');
    }
    assert.ok(res.text.includes(accounts[1]!.maskedPan));
  });

  it("does not show another customer's accounts", async () => {
    const alice = await createCustomerWithAccounts(5, 'alice');
    const bob = await createCustomerWithAccounts(5, 'bob');
    const { agent } = await signedInAgent(app, bob.person);
    const res = await agent.get('/my/accounts').expect(200);
    assert.ok(!res.text.includes(alice.accounts[0]!.accountNumber!));
    assert.ok(res.text.includes(bob.accounts[0]!.accountNumber!));
  });
});
