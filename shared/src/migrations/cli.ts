// `npm run migrate -- <command>`; see migrations/README.md for each command.
// Exit codes: 0 done (status: up to date), 1 refused or failed (the reason is on stderr),
// 2 usage, 3 status found the schema not up to date (the reasons are on stderr).
import { createInterface } from 'node:readline/promises';
import { loadConfigOrExit, migrateEnv, type MigrateConfig } from '@docuvault/shared/config/index';
import { parseCommandLine, USAGE, type CommandLine } from './cli-args.ts';
import { withClient } from './connection.ts';
import { defaultMigrationsDir, readMigrationDirectory } from './files.ts';
import { formatStatus } from './format.ts';
import type { MigrationLogger } from './logger.ts';
import { migrationStatus, statusProblems } from './status.ts';

const logger: MigrationLogger = { info: (message) => process.stdout.write(`${message}\n`) };

/** Why `down` must not run without `--yes` here, or null when it may ask instead. */
function unattendedReason(config: MigrateConfig): string | null {
  if (config.NODE_ENV === 'production') return 'NODE_ENV is production';
  if (!process.stdin.isTTY) return 'standard input is not a terminal';
  return null;
}

async function confirmed(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await prompt.question(`${question} Type "yes" to go on: `)).trim() === 'yes';
  } finally {
    prompt.close();
  }
}

// The commands that run or record migrations are imported when used: `status`, which
// deploy scripts call often, then loads neither the runner nor the SQL parser.
const runner = () => import('./runner.ts');

async function down(args: CommandLine, config: MigrateConfig, dir: string): Promise<number> {
  const url = config.DATABASE_MIGRATE_URL;
  const { formatDownPlan, readPlan } = await import('./plan.ts');
  const { rollback } = await withClient(url, (client) => readPlan(client, dir, { downTo: args.to ?? null }));
  if (rollback.length === 0) {
    logger.info('no applied migration to roll back');
    return 0;
  }
  logger.info(formatDownPlan(rollback));
  if (args.plan) return 0;
  if (!args.yes) {
    const reason = unattendedReason(config);
    if (reason !== null) {
      process.stderr.write(`migrate: refusing to roll back without --yes: ${reason}; nothing was changed\n`);
      return 1;
    }
    if (!(await confirmed(`This undoes ${rollback.length} migration(s) and may delete data.`))) {
      process.stderr.write('migrate: not confirmed; nothing was changed\n');
      return 1;
    }
  }
  await (
    await runner()
  ).migrateDown(url, dir, {
    ...timeoutsOf(config),
    logger,
    ...(args.to ? { to: args.to } : {}),
    expected: rollback.map((migration) => migration.name),
  });
  return 0;
}

async function status(args: CommandLine, config: MigrateConfig, dir: string): Promise<number> {
  const result = await migrationStatus(config.DATABASE_MIGRATE_URL, dir);
  process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : formatStatus(result));
  const { ignored } = await readMigrationDirectory(dir, { check: false });
  if (!args.json && ignored.length > 0)
    process.stdout.write(
      `ignored (not named like a migration, nor like one gone wrong): ${ignored.join(', ')}\n`,
    );
  const problems = statusProblems(result);
  if (problems.length === 0) return 0;
  process.stderr.write(`migrate: schema is not up to date: ${problems.join('; ')}\n`);
  return 3;
}

const timeoutsOf = (config: MigrateConfig) => ({
  lockTimeoutMs: config.MIGRATE_LOCK_TIMEOUT_MS,
  statementTimeoutMs: config.MIGRATE_STATEMENT_TIMEOUT_MS,
  lockWaitMs: config.MIGRATE_LOCK_WAIT_SECONDS * 1000,
});

async function ledgerCommand(args: CommandLine, config: MigrateConfig, dir: string): Promise<void> {
  const url = config.DATABASE_MIGRATE_URL;
  const options = { logger, dir, plan: args.plan, lockWaitMs: config.MIGRATE_LOCK_WAIT_SECONDS * 1000 };
  const { baseline, repairLedger, resolve } = await import('./repair.ts');
  const changes =
    args.command === 'repair'
      ? await repairLedger(url, { ...options, ...(args.name ? { name: args.name } : {}) })
      : args.command === 'baseline'
        ? await baseline(url, args.name!, options)
        : await resolve(url, args.name!, args.resolveTo!, options);
  if (changes.length > 0)
    logger.info(`done: ${changes.length} ledger change(s), recorded in schema_migrations_audit`);
}

async function main(): Promise<number> {
  const args = parseCommandLine(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`migrate: ${args}\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfigOrExit('migrate', migrateEnv);
  const dir = args.dir ?? defaultMigrationsDir;
  switch (args.command) {
    case 'up':
      await (
        await runner()
      ).migrateUp(config.DATABASE_MIGRATE_URL, dir, { ...timeoutsOf(config), logger, plan: args.plan });
      return 0;
    case 'down':
      return down(args, config, dir);
    case 'status':
      return status(args, config, dir);
    case 'repair':
    case 'baseline':
    case 'resolve':
      await ledgerCommand(args, config, dir);
      return 0;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
