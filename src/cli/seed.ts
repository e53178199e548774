import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { loadConfig, loadEnvFile } from '../config.js';
import { openDatabase } from '../db/database.js';
import { createLogger } from '../logger.js';
import { startOfTodayUtc } from '../seed/demo-data.js';
import { demoCustomerIds, seedBankData } from '../seed/seed.service.js';
import { indexInBulk, seedAuditHistory } from '../seed/audit-history.js';
import { generateCustomer } from '../seed/bank-data-generator.js';
import { createAuditLog } from '../audit/audit-log.js';
import { loadAuditKeys } from '../audit/audit-keys.js';
import { AuditIndexer } from '../audit/audit-indexer.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

const usage = `Usage: npm run seed -- [--customers N] [--accounts-per-customer N] [--transactions-per-account N]
                       [--seed VALUE] [--as-of YYYY-MM-DD] [--audit-events N]
                       [--joint-account-rate R] [--additional-cardholder-rate R]

Creates deterministic demo bank data (the demo sign-ins plus N generated customers).
Running it again with the same arguments changes nothing.
--joint-account-rate R (0 to 1, default 0.1): the share of generated customers holding a
joint account with the next one; --additional-cardholder-rate R (default 0.1): the share
whose credit card has the next one as additional cardholder.
--audit-events N also writes N events of audit history over the past year through the
audit service (a valid, signed chain); use it on a fresh database.`;

const Args = z.strictObject({
  customers: z.coerce.number().int().min(0).max(10_000_000).default(8),
  'accounts-per-customer': z.coerce.number().int().min(1).max(20).default(2),
  'transactions-per-account': z.coerce.number().int().min(0).max(1_000_000).default(300),
  seed: z.string().min(1).max(100).default('demo'),
  'as-of': z.iso.date().optional(),
  'audit-events': z.coerce.number().int().min(0).max(100_000_000).default(0),
  'joint-account-rate': z.coerce.number().min(0).max(1).default(0.1),
  'additional-cardholder-rate': z.coerce.number().min(0).max(1).default(0.1),
  help: z.boolean().optional(),
});

async function main() {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      'accounts-per-customer': { type: 'string' },
      'transactions-per-account': { type: 'string' },
      seed: { type: 'string' },
      'as-of': { type: 'string' },
      'audit-events': { type: 'string' },
      'joint-account-rate': { type: 'string' },
      'additional-cardholder-rate': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success || parsed.data.help) {
    if (!parsed.success)
      console.error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
    console.error(usage);
    process.exit(parsed.success ? 0 : 2);
  }
  const args = parsed.data;
  loadEnvFile();
  const config = loadConfig();
  const logger = createLogger('warn');
  const database = await openDatabase(config, logger, 'tool');
  try {
    const bar = new SingleBar(
      { format: 'Seeding [{bar}] {percentage}% | {value}/{total} transactions | ETA {eta}s' },
      Presets.shades_classic,
    );
    let started = false;
    const asOf = args['as-of'] ? new Date(`${args['as-of']}T00:00:00Z`) : startOfTodayUtc();
    const report = await seedBankData({
      seed: args.seed,
      customers: args.customers,
      accountsPerCustomer: args['accounts-per-customer'],
      transactionsPerAccount: args['transactions-per-account'],
      jointAccountRate: args['joint-account-rate'],
      additionalCardholderRate: args['additional-cardholder-rate'],
      asOf,
      onProgress: (done, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    });
    bar.stop();
    console.log(
      `New records: ${report.users} users, ${report.accounts} accounts, ${report.transactions} transactions.`,
    );
    if (args['audit-events'] > 0) {
      await seedHistory(args['audit-events'], args.seed, args.customers, asOf, config, logger);
    }
  } finally {
    await database.close();
  }
}

async function seedHistory(
  events: number,
  seed: string,
  customers: number,
  asOf: Date,
  config: Config,
  logger: Logger,
) {
  const keys = await loadAuditKeys({ pem: config.AUDIT_SIGNING_KEY, dataDir: config.DATA_DIR });
  const clock = { time: new Date(asOf.getTime() - 365 * 86_400_000) };
  const audit = createAuditLog({ keys, logger, now: () => clock.time });
  const customerIds = [
    ...demoCustomerIds(),
    ...Array.from({ length: Math.min(customers, 100_000) }, (_, i) => generateCustomer(seed, i).customerId),
  ];
  const bar = new SingleBar(
    { format: 'Audit history [{bar}] {percentage}% | {value}/{total} events | ETA {eta}s' },
    Presets.shades_classic,
  );
  bar.start(events, 0);
  // This tool is the only writer while it seeds, so it indexes each wave as it goes.
  const indexer = new AuditIndexer({ logger, keys });
  await seedAuditHistory(
    audit,
    clock,
    { seed, events, customerIds, asOf, onProgress: (done) => bar.update(done) },
    indexInBulk(indexer),
  );
  await indexer.catchUp();
  await audit.close();
  bar.stop();
  console.log(`Audit history: ${events} events written and indexed.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
