import type pg from 'pg';
import { MigrationDriftError, MigrationError } from './errors.ts';
import { checkMigrations, readMigrations, type MigrationFile } from './files.ts';
import { readLedger } from './ledger.ts';
import { compareMigrations, outOfOrderPending, type MigrationEntry } from './status.ts';

export interface Plan {
  readonly files: MigrationFile[];
  readonly entries: MigrationEntry[];
  readonly pending: MigrationFile[];
  /** With `downTo`: what `down` would undo, newest first. */
  readonly rollback: MigrationFile[];
}

/** What `down` undoes: the newest applied migration, or every one applied after `to`. */
function rollbackOf(files: MigrationFile[], entries: MigrationEntry[], to: string | null): MigrationFile[] {
  const applied = entries.filter((entry) => entry.state === 'APPLIED').map((entry) => entry.name);
  let names: string[];
  if (to === null) names = applied.slice(-1);
  else {
    const at = applied.indexOf(to);
    if (at < 0) throw new MigrationError(`cannot roll back to ${to}: it is not an applied migration`);
    names = applied.slice(at + 1).reverse();
  }
  const steps = names.map((name) => files.find((file) => file.name === name)!);
  const oneWay = steps.filter((migration) => migration.down.empty).map((migration) => migration.name);
  if (oneWay.length > 0) {
    throw new MigrationError(
      `${oneWay.join(', ')} ${oneWay.length === 1 ? 'has' : 'have'} an empty "-- migrate:down" section and cannot be rolled back; nothing was changed`,
    );
  }
  return steps;
}

/** Reads files and ledger (under the lock when the caller holds it) and refuses when they disagree. */
export async function readPlan(
  db: pg.ClientBase,
  dir: string,
  options: { downTo?: string | null } = {},
): Promise<Plan> {
  const files = await readMigrations(dir, { check: false });
  const entries = compareMigrations(files, await readLedger(db));
  const named = (state: MigrationEntry['state']) =>
    entries.filter((e) => e.state === state).map((e) => e.name);
  const drift = {
    missing: named('APPLIED_BUT_MISSING'),
    changed: named('APPLIED_BUT_CHANGED'),
    outOfOrder: outOfOrderPending(entries),
  };
  if (drift.missing.length + drift.changed.length + drift.outOfOrder.length > 0) {
    throw new MigrationDriftError(drift);
  }
  const pendingNames = new Set(named('PENDING'));
  const pending = files.filter((file) => pendingNames.has(file.name));
  const rollback = options.downTo === undefined ? [] : rollbackOf(files, entries, options.downTo);
  // Only what is about to run is parsed and checked.
  await checkMigrations(options.downTo === undefined ? pending : rollback);
  return { files, entries, pending, rollback };
}

export function formatUpPlan(pending: readonly MigrationFile[]): string {
  const lines = pending.map(
    (migration) =>
      `  ${migration.name}${migration.header.transactional ? '' : '  (no transaction: runs alone, outside the dry run)'}`,
  );
  return [`plan: apply ${pending.length} migration(s), in this order:`, ...lines].join('\n');
}

export function formatDownPlan(rollback: readonly MigrationFile[]): string {
  const steps = rollback.flatMap((migration) => [
    `  ${migration.name}:`,
    ...migration.down.sql.split('\n').map((line) => `      ${line}`),
  ]);
  return [
    `plan: roll back ${rollback.length} migration(s), newest first, running their down sections:`,
    ...steps,
  ].join('\n');
}
