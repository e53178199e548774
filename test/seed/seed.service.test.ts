import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AccountModel } from '../../src/accounts/account.model.js';
import { CustomerModel } from '../../src/accounts/customer.model.js';
import { TransactionMonthModel } from '../../src/accounts/transaction.model.js';
import { generateCustomer } from '../../src/seed/bank-data-generator.js';
import { seedBankData } from '../../src/seed/seed.service.js';
import { UserModel } from '../../src/users/user.model.js';

describe('seedBankData', () => {
  it('creates the demo sign-ins and generated customers, and a second run changes nothing', async function () {
    this.timeout(60_000);
    const seed = `seed-test-${randomUUID()}`;
    const options = {
      seed,
      customers: 3,
      accountsPerCustomer: 2,
      transactionsPerAccount: 40,
      asOf: new Date(),
    };
    const progress: number[] = [];
    const first = await seedBankData({ ...options, onProgress: (done) => progress.push(done) });
    assert.ok(first.accounts >= 3 * 2, 'each generated customer got two accounts');
    // Two accounts each, and Alice and Bob's joint account.
    assert.equal(progress.at(-1), ((3 + 2) * 2 + 1) * 40);

    for (const email of [
      'alice@example.com',
      'bob@example.com',
      'compliance@example.com',
      'admin@example.com',
    ]) {
      assert.ok(await UserModel.exists({ _id: email }), email);
    }
    const alice = await UserModel.findById('alice@example.com').lean();
    const aliceCustomer = await CustomerModel.findById(alice!.customerId).lean();
    const aliceAccounts = await AccountModel.find({ _id: { $in: aliceCustomer!.accountIds } }).lean();
    assert.deepEqual(aliceAccounts.map((a) => a.kind).sort(), ['checking', 'checking', 'credit_card']);
    const bob = await CustomerModel.findById('cus-demo-bob').lean();
    const joint = aliceAccounts.find((a) => a.holderIds?.length);
    assert.deepEqual(
      joint?.holderIds,
      ['cus-demo-alice', 'cus-demo-bob'],
      'Alice and Bob share a joint account',
    );
    const card = aliceAccounts.find((a) => a.kind === 'credit_card');
    assert.equal(card?.cardholders?.[0]?.customerId, 'cus-demo-bob', "Bob holds a card on Alice's");
    assert.notEqual(card?.cardholders?.[0]?.maskedPan, card?.maskedPan, 'with a card number of his own');
    assert.ok(bob?.accountIds.includes(joint!._id) && bob.accountIds.includes(card!._id));
    const customer = generateCustomer(seed, 2);
    const user = await UserModel.findById(customer.email).lean();
    assert.equal(user?.customerId, customer.customerId);
    const record = await CustomerModel.findById(customer.customerId).lean();
    assert.equal(record?.accountIds.length, 2);
    const months = await TransactionMonthModel.find({ accountId: record!.accountIds[0] }).lean();
    assert.equal(
      months.reduce((sum, m) => sum + m.transactions.length, 0),
      40,
    );
    for (const month of months) {
      const times = month.transactions.map((t) => t.bookingDateTime.getTime());
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
        'newest first within a month',
      );
      assert.ok(month.transactions.every((t) => t.bookingDateTime.toISOString().startsWith(month.month)));
    }

    const second = await seedBankData(options);
    assert.deepEqual(second, { users: 0, accounts: 0, transactions: 0 });
  });
});
