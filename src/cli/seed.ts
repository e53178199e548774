import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { ensureIndexes } from '../db/indexes.js';
import { createLogger } from '../logger.js';
import { startOfTodayUtc } from '../seed/demo-data.js';
import { seedBankData } from '../seed/seed.service.js';

const usage = `Usage: npm run seed -- [--customers N] [--accounts-per-customer N] [--transactions-per-account N]
                       [--seed VALUE] [--as-of YYYY-MM-DD]

Creates deterministic demo bank data (the demo sign-ins plus N generated customers).
Running it again with the same arguments changes nothing.`;

const Args = z.strictObject({
  customers: z.coerce.number().int().min(0).max(10_000_000).default(8),
  'accounts-per-customer': z.coerce.number().int().min(1).max(20).default(2),
  'transactions-per-account': z.coerce.number().int().min(0).max(1_000_000).default(300),
  seed: z.string().min(1).max(100).default('demo'),
  'as-of': z.iso.date().optional(),
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
  const config = loadConfig();
  const logger = createLogger('warn');
  const database = await openDatabase(config, logger, 'tool');
  try {
    await ensureIndexes();
    const bar = new SingleBar(
      { format: 'Seeding [{bar}] {percentage}% | {value}/{total} transactions | ETA {eta}s' },
      Presets.shades_classic,
    );
    let started = false;
    const report = await seedBankData({
      seed: args.seed,
      customers: args.customers,
      accountsPerCustomer: args['accounts-per-customer'],
      transactionsPerAccount: args['transactions-per-account'],
      asOf: args['as-of'] ? new Date(`${args['as-of']}T00:00:00Z`) : startOfTodayUtc(),
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
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
