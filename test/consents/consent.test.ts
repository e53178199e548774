import assert from 'node:assert/strict';
import { canMove, checkConsentRequest, lapse, servedPermissions } from '../../src/consents/consent.js';

const now = new Date('2026-06-01T12:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

describe('consent rules', () => {
  it('allow only the lifecycle moves: AWAU to AUTH or RJCT, AUTH to CANC or EXPD', () => {
    assert.ok(
      canMove('AWAU', 'AUTH') &&
        canMove('AWAU', 'RJCT') &&
        canMove('AUTH', 'CANC') &&
        canMove('AUTH', 'EXPD'),
    );
    for (const [from, to] of [
      ['AUTH', 'AWAU'],
      ['AUTH', 'RJCT'],
      ['RJCT', 'AUTH'],
      ['CANC', 'AUTH'],
      ['EXPD', 'AUTH'],
      ['AWAU', 'CANC'],
    ] as const) {
      assert.equal(canMove(from, to), false, `${from} -> ${to}`);
    }
  });

  it('reject a pending consent after an hour, and expire an authorised one at its expiry', () => {
    assert.equal(
      lapse({ status: 'AWAU', creationDateTime: new Date(now.getTime() - 59 * 60_000) }, now),
      undefined,
    );
    assert.equal(
      lapse({ status: 'AWAU', creationDateTime: new Date(now.getTime() - 61 * 60_000) }, now)?.to,
      'RJCT',
    );
    assert.equal(
      lapse({ status: 'AUTH', creationDateTime: days(-10), expirationDateTime: days(1) }, now),
      undefined,
    );
    assert.equal(
      lapse({ status: 'AUTH', creationDateTime: days(-10), expirationDateTime: now }, now)?.to,
      'EXPD',
    );
    assert.equal(
      lapse({ status: 'CANC', creationDateTime: days(-10), expirationDateTime: days(-1) }, now),
      undefined,
    );
  });

  it('accept a served permission set with sane dates', () => {
    assert.deepEqual(
      checkConsentRequest(
        {
          Permissions: [
            'ReadAccountsDetail',
            'ReadBalances',
            'ReadTransactionsDetail',
            'ReadTransactionsDebits',
          ],
          ExpirationDateTime: days(90),
          TransactionFromDateTime: days(-365),
          TransactionToDateTime: days(0),
        },
        now,
        365,
      ),
      [],
    );
  });

  const problemsOf = (Permissions: string[], extra = {}) =>
    checkConsentRequest({ Permissions, ...extra }, now, 365).map((p) => `${p.path}: ${p.message}`);

  it('refuse permissions this bank does not serve, naming them', () => {
    assert.match(
      problemsOf(['ReadAccountsBasic', 'ReadBeneficiariesDetail'])[0]!,
      /does not serve ReadBeneficiariesDetail/,
    );
    assert.equal(servedPermissions.length, 8);
  });

  it('require a ReadAccounts permission', () => {
    assert.match(problemsOf(['ReadBalances']).join(), /ReadAccountsBasic or ReadAccountsDetail is required/);
  });

  it('require transaction detail levels and directions to come together', () => {
    assert.match(
      problemsOf(['ReadAccountsBasic', 'ReadTransactionsBasic']).join(),
      /needs ReadTransactionsCredits/,
    );
    assert.match(
      problemsOf(['ReadAccountsBasic', 'ReadTransactionsDebits']).join(),
      /needs ReadTransactionsBasic or ReadTransactionsDetail/,
    );
  });

  it('refuse duplicates, past or too distant expiry, and an inverted transaction window', () => {
    assert.match(problemsOf(['ReadAccountsBasic', 'ReadAccountsBasic']).join(), /listed once/);
    assert.match(
      problemsOf(['ReadAccountsBasic'], { ExpirationDateTime: days(-1) }).join(),
      /ExpirationDateTime: must be in the future/,
    );
    assert.match(
      problemsOf(['ReadAccountsBasic'], { ExpirationDateTime: days(366) }).join(),
      /no more than 365 days/,
    );
    assert.match(
      problemsOf(['ReadAccountsBasic'], {
        TransactionFromDateTime: days(0),
        TransactionToDateTime: days(-1),
      }).join(),
      /TransactionFromDateTime: must not be after/,
    );
  });
});
