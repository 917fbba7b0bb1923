// `npm run migrate -- up | down | status [--dir <path>]`
// Exit codes: 0 done, 1 refused or failed (the reason is on stderr), 2 usage.
import { parseArgs } from 'node:util';
import { loadConfigOrExit, migrateEnv } from '@docuvault/shared/config/index';
import { defaultMigrationsDir } from './files.ts';
import { migrateDown, migrateUp, type MigrationLogger } from './runner.ts';
import { formatStatus } from './format.ts';
import { migrationStatus } from './status.ts';

const USAGE = 'usage: npm run migrate -- up | down | status [--dir <migrations dir>]';

const logger: MigrationLogger = { info: (message) => process.stdout.write(`${message}\n`) };

function parseCommandLine(argv: string[]) {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      options: { dir: { type: 'string' } },
      allowPositionals: true,
    });
    const command = positionals[0];
    if (positionals.length !== 1 || (command !== 'up' && command !== 'down' && command !== 'status'))
      return null;
    return { command, values };
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const args = parseCommandLine(process.argv.slice(2));
  if (!args) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const { command, values } = args;
  const { DATABASE_MIGRATE_URL: url } = loadConfigOrExit('migrate', migrateEnv);
  const dir = values.dir ?? defaultMigrationsDir;
  if (command === 'up') await migrateUp(url, dir, { logger });
  else if (command === 'down') await migrateDown(url, dir, { logger });
  else process.stdout.write(formatStatus(await migrationStatus(url, dir)));
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
