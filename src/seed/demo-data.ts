import type { Logger } from '../logger.js';
import { anyUserExists } from '../users/user.repository.js';
import { demoSignins, seedBankData, type DemoSignin } from './seed.service.js';

export const demoSeed = 'demo';

/** On an empty database, creates the demo set and returns the sign-ins to print. */
export async function seedDemoDataIfEmpty(logger: Logger): Promise<readonly DemoSignin[] | undefined> {
  if (await anyUserExists()) return undefined;
  logger.info('empty database: creating demo data');
  const report = await seedBankData({
    seed: demoSeed,
    customers: 8,
    accountsPerCustomer: 2,
    transactionsPerAccount: 300,
    jointAccountRate: 0.25,
    additionalCardholderRate: 0.25,
    asOf: startOfTodayUtc(),
  });
  logger.info(report, 'demo data created');
  return demoSignins;
}

export function startOfTodayUtc(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
