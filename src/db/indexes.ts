import { AccountModel } from '../accounts/account.model.js';
import { BalanceModel } from '../accounts/balance.model.js';
import { CustomerModel } from '../accounts/customer.model.js';
import { TransactionMonthModel } from '../accounts/transaction.model.js';
import { AuditCheckpointModel, AuditEventModel } from '../audit/audit-event.model.js';
import {
  AuditDailyStatsModel,
  AuditIndexStateModel,
  AuditPostingDirModel,
  AuditPostingModel,
} from '../audit/audit-index.model.js';
import { SigninThrottleModel } from '../auth/signin-throttle.model.js';
import { UserModel } from '../users/user.model.js';

const models = [
  UserModel,
  CustomerModel,
  AccountModel,
  BalanceModel,
  TransactionMonthModel,
  SigninThrottleModel,
  AuditEventModel,
  AuditCheckpointModel,
  AuditPostingModel,
  AuditPostingDirModel,
  AuditDailyStatsModel,
  AuditIndexStateModel,
];

/**
 * Creates each collection's declared indexes (idempotent). autoIndex is off so this runs
 * once, at start. Most access is by `_id`, which needs no declaration.
 */
export async function ensureIndexes(): Promise<void> {
  for (const model of models) await model.createIndexes();
}
