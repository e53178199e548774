import assert from 'node:assert/strict';
import {
  generateAccount,
  generateCustomer,
  generateTransactions,
} from '../../src/seed/bank-data-generator.js';
import { luhnComplete } from '../../src/seed/card-numbers.js';

const asOf = new Date('2026-06-01T00:00:00Z');

describe('bank data generator', () => {
  it('produces the same data for the same seed, and different data for another seed', () => {
    const account = generateAccount('s1', 'cus-1', 0, asOf);
    assert.deepEqual(
      generateTransactions('s1', account, 50, asOf),
      generateTransactions('s1', account, 50, asOf),
    );
    assert.deepEqual(generateCustomer('s1', 3), generateCustomer('s1', 3));
    assert.notDeepEqual(generateCustomer('s1', 3), generateCustomer('s2', 3));
  });

  it('alternates current accounts and credit cards, with valid masked card numbers', () => {
    const checking = generateAccount('s', 'cus-1', 0, asOf);
    const card = generateAccount('s', 'cus-1', 1, asOf);
    assert.equal(checking.kind, 'checking');
    assert.equal(card.kind, 'credit_card');
    assert.match(checking.sortCode!, /^\d{6}$/);
    assert.match(checking.accountNumber!, /^\d{8}$/);
    assert.equal(luhnComplete(card.pan.slice(0, -1)), card.pan);
    assert.equal(card.maskedPan, `************${card.pan.slice(-4)}`);
  });

  it('spreads a year of transactions before asOf, oldest first, with recent ones pending', () => {
    const card = generateAccount('s', 'cus-1', 1, asOf);
    const { transactions } = generateTransactions('s', card, 400, asOf);
    assert.equal(transactions.length, 400);
    const times = transactions.map((t) => t.bookingDateTime.getTime());
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.ok(times[0]! >= asOf.getTime() - 365 * 86_400_000);
    assert.ok(times.at(-1)! < asOf.getTime());
    for (const t of transactions) {
      const recent = t.bookingDateTime.getTime() > asOf.getTime() - 2 * 86_400_000;
      if (t.status === 'Pending') assert.ok(recent && t.valueDateTime === undefined);
      assert.ok(Number.isInteger(t.amountMinor) && t.amountMinor >= 0);
    }
    assert.ok(transactions.some((t) => t.merchantCategoryCode === '5411'));
    assert.ok(transactions.some((t) => t.description === 'PAYMENT RECEIVED - THANK YOU'));
  });

  it('leaves a balance equal to the booked transactions, and availability net of pending debits', () => {
    const checking = generateAccount('s', 'cus-2', 0, asOf);
    const { transactions, balance } = generateTransactions('s', checking, 300, asOf);
    const booked = transactions.filter((t) => t.status === 'Booked');
    const net = booked.reduce(
      (sum, t) => sum + (t.creditDebit === 'Credit' ? t.amountMinor : -t.amountMinor),
      0,
    );
    const opening =
      booked[0]!.balanceAfterMinor - (booked[0]!.creditDebit === 'Credit' ? 1 : -1) * booked[0]!.amountMinor;
    assert.equal(balance.bookedMinor, opening + net);
    const pending = transactions.filter((t) => t.status === 'Pending').reduce((s, t) => s + t.amountMinor, 0);
    assert.equal(balance.availableMinor, balance.bookedMinor - pending);
  });
});
