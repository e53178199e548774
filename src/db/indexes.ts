import { AccountModel } from '../accounts/account.model.js';
import { BalanceModel } from '../accounts/balance.model.js';
import { TransactionModel } from '../accounts/transaction.model.js';
import { SigninThrottleModel } from '../auth/signin-throttle.model.js';
import { UserModel } from '../users/user.model.js';

const models = [UserModel, AccountModel, BalanceModel, TransactionModel, SigninThrottleModel];

/** Creates every collection's indexes (idempotent). autoIndex is off so this runs once, at start. */
export async function ensureIndexes(): Promise<void> {
  for (const model of models) await model.createIndexes();
}
