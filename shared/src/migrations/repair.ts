import type pg from 'pg';
import { withClient } from './connection.ts';
import { describeObject, missingObjects, objectsCreatedBy } from './catalogue.ts';
import { MigrationError } from './errors.ts';
import { defaultMigrationsDir, readMigrations, type MigrationFile } from './files.ts';
import {
  ensureLedger,
  ensureLedgerAudit,
  readLedger,
  recordApplied,
  recordAudit,
  removeApplied,
  updateChecksum,
} from './ledger.ts';
import { withMigrationLock } from './lock.ts';
import { silent, type MigrationLogger } from './logger.ts';
import { assertOwnerRole } from './role.ts';
import { compareMigrations } from './status.ts';
import { lineDiff } from './text-diff.ts';
import { DEFAULT_TIMEOUTS } from './timeouts.ts';

// Ledger repairs: each says what it changes, changes only the ledger (never the schema),
// and leaves a row in schema_migrations_audit. All run as the owner, under the lock.

export interface LedgerCommandOptions {
  logger?: MigrationLogger;
  lockWaitMs?: number;
  /** The migrations folder; default: the repository's. */
  dir?: string;
  /** Only say what would change. */
  plan?: boolean;
}

/** One change to the ledger, as printed and as audited. */
export interface LedgerChange {
  readonly command: 'repair' | 'baseline' | 'resolve';
  readonly migration: string;
  readonly action: 'recorded-checksum' | 'forgot' | 'marked-applied' | 'marked-rolled-back';
  readonly details: Record<string, unknown>;
}

async function underLock<T>(
  url: string,
  options: LedgerCommandOptions,
  fn: (client: pg.Client, files: MigrationFile[]) => Promise<T>,
): Promise<T> {
  return withClient(url, async (client) => {
    await assertOwnerRole(client);
    return withMigrationLock(
      client,
      options.logger ?? silent,
      options.lockWaitMs ?? DEFAULT_TIMEOUTS.lockWaitMs,
      async () => fn(client, await readMigrations(options.dir ?? defaultMigrationsDir)),
    );
  });
}

/** Applies `changes` (each with its ledger write) and their audit rows in one transaction. */
async function commitChanges(
  client: pg.Client,
  options: LedgerCommandOptions,
  changes: { change: LedgerChange; write: () => Promise<void>; say: string }[],
): Promise<LedgerChange[]> {
  const logger = options.logger ?? silent;
  for (const { say } of changes) logger.info(`${options.plan ? 'would: ' : ''}${say}`);
  if (options.plan || changes.length === 0) return [];
  await client.query('begin');
  try {
    await ensureLedger(client);
    await ensureLedgerAudit(client);
    for (const { change, write } of changes) {
      await write();
      await recordAudit(client, change.command, change.migration, {
        action: change.action,
        ...change.details,
      });
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  return changes.map(({ change }) => change);
}

/**
 * Re-records the checksum of applied migrations whose file was edited (printing the diff
 * of what the checksum covers), and forgets applied migrations whose file is gone. With
 * `name`, only that migration.
 */
export async function repairLedger(
  url: string,
  options: LedgerCommandOptions & { name?: string } = {},
): Promise<LedgerChange[]> {
  return underLock(url, options, async (client, files) => {
    const ledger = await readLedger(client);
    const entries = compareMigrations(files, ledger).filter(
      (entry) => !options.name || entry.name === options.name,
    );
    if (options.name && entries.length === 0)
      throw new MigrationError(`${options.name} is neither a file nor applied`);
    const changes = entries.flatMap((entry) => {
      const row = ledger.find((candidate) => candidate.name === entry.name)!;
      if (entry.state === 'APPLIED_BUT_CHANGED') {
        const file = files.find((candidate) => candidate.name === entry.name)!;
        const diff = row.script
          ? lineDiff(row.script, file.checksumText)
          : '(the applied text was not kept: it was applied before the ledger recorded it)';
        const change: LedgerChange = {
          command: 'repair',
          migration: entry.name,
          action: 'recorded-checksum',
          details: { oldChecksum: row.checksum, newChecksum: file.checksum },
        };
        return [
          {
            change,
            say: `re-record the checksum of ${entry.name}: ${row.checksum} -> ${file.checksum}; what changed:\n${diff}`,
            write: () => updateChecksum(client, entry.name, file.checksum, file.checksumText),
          },
        ];
      }
      if (entry.state === 'APPLIED_BUT_MISSING') {
        const change: LedgerChange = {
          command: 'repair',
          migration: entry.name,
          action: 'forgot',
          details: { checksum: row.checksum, appliedAt: row.appliedAt.toISOString() },
        };
        return [
          {
            change,
            say: `forget ${entry.name} (applied ${row.appliedAt.toISOString()}, its file is gone); what it created stays in the database`,
            write: () => removeApplied(client, entry.name),
          },
        ];
      }
      return [];
    });
    if (changes.length === 0)
      (options.logger ?? silent).info('nothing to repair: no applied migration is changed or missing');
    return commitChanges(client, options, changes);
  });
}

/** Refuses unless the catalogue has what `migrations` create, naming what is missing. */
async function requireObjectsOf(
  client: pg.Client,
  migrations: MigrationFile[],
  command: string,
): Promise<void> {
  const missing = await missingObjects(client, objectsCreatedBy(migrations));
  if (missing.length > 0) {
    throw new MigrationError(
      `refusing to ${command}: the database lacks what ${migrations.length === 1 ? migrations[0]!.name : 'those migrations'} ` +
        `create: ${missing.map(describeObject).join(', ')}; nothing was changed`,
    );
  }
}

const markApplied = (
  client: pg.Client,
  command: 'baseline' | 'resolve',
  file: MigrationFile,
  say: string,
) => ({
  change: {
    command,
    migration: file.name,
    action: 'marked-applied',
    details: { checksum: file.checksum },
  } as LedgerChange,
  say,
  write: () => recordApplied(client, file.name, file.checksum, 0, file.checksumText),
});

/**
 * Marks a database made by hand or by another tool as migrated up to and including
 * `name`, without running anything, once the catalogue holds what those migrations create.
 */
export async function baseline(
  url: string,
  name: string,
  options: LedgerCommandOptions = {},
): Promise<LedgerChange[]> {
  return underLock(url, options, async (client, files) => {
    const at = files.findIndex((file) => file.name === name);
    if (at < 0) throw new MigrationError(`cannot baseline at ${name}: there is no such migration file`);
    const applied = new Set((await readLedger(client)).map((row) => row.name));
    const later = files.slice(at + 1).filter((file) => applied.has(file.name));
    if (later.length > 0)
      throw new MigrationError(
        `cannot baseline at ${name}: ${later[0]!.name}, a later migration, is applied already`,
      );
    const upTo = files.slice(0, at + 1);
    await requireObjectsOf(client, upTo, `baseline at ${name}`);
    const changes = upTo
      .filter((file) => !applied.has(file.name))
      .map((file) => markApplied(client, 'baseline', file, `mark ${file.name} applied (not run: baseline)`));
    return commitChanges(client, options, changes);
  });
}

/** Records a migration applied or rolled back by hand as such, without running it. */
export async function resolve(
  url: string,
  name: string,
  to: 'applied' | 'rolled-back',
  options: LedgerCommandOptions = {},
): Promise<LedgerChange[]> {
  return underLock(url, options, async (client, files) => {
    const row = (await readLedger(client)).find((candidate) => candidate.name === name);
    if (to === 'applied') {
      const file = files.find((candidate) => candidate.name === name);
      if (!file)
        throw new MigrationError(`cannot resolve ${name} as applied: there is no such migration file`);
      if (row)
        throw new MigrationError(`cannot resolve ${name} as applied: it is recorded as applied already`);
      await requireObjectsOf(client, [file], `resolve ${name} as applied`);
      return commitChanges(client, options, [
        markApplied(client, 'resolve', file, `mark ${name} applied (not run: resolved by hand)`),
      ]);
    }
    if (!row)
      throw new MigrationError(`cannot resolve ${name} as rolled back: it is not recorded as applied`);
    return commitChanges(client, options, [
      {
        change: {
          command: 'resolve',
          migration: name,
          action: 'marked-rolled-back',
          details: { checksum: row.checksum, appliedAt: row.appliedAt.toISOString() },
        },
        say: `mark ${name} rolled back (its down section was not run: resolved by hand)`,
        write: () => removeApplied(client, name),
      },
    ]);
  });
}
