import type pg from 'pg';
import { isDatabaseError } from './connection.ts';
import { MigrationConflictError, type ConflictSource } from './errors.ts';
import type { MigrationFile } from './files.ts';
import { isDataStatement, type Statement } from './statements.ts';

/**
 * "Already exists" errors. In the dry run they mean the database holds objects that a
 * pending migration would create: someone changed it by hand (or restored it beside
 * the ledger), and applying on top would be a guess.
 */
const DUPLICATE_OBJECT_CODES = new Set([
  '42P07', // duplicate_table (also indexes, sequences, views)
  '42710', // duplicate_object (constraints, types, roles, triggers, policies)
  '42701', // duplicate_column
  '42P06', // duplicate_schema
  '42723', // duplicate_function
]);

const isDuplicate = (error: unknown): error is pg.DatabaseError =>
  isDatabaseError(error) && error.code !== undefined && DUPLICATE_OBJECT_CODES.has(error.code);

/** `relation "documents" already exists` → `relation "documents"`; keeps the kind and the owner of a column. */
function objectNamedIn(error: pg.DatabaseError): string {
  return /^(.+?) already exists/.exec(error.message)?.[1] ?? 'an object';
}

/** Runs `probe` and undoes whatever it did; true when it still finds the object there. */
async function inSavepoint(client: pg.Client, probe: () => Promise<boolean>): Promise<boolean> {
  await client.query('savepoint probe');
  try {
    return await probe();
  } finally {
    await client.query('rollback to savepoint probe');
  }
}

/** A plain index build is the dry run's one costly DDL: its name is looked up instead. */
async function indexNameTaken(client: pg.Client, statement: Statement): Promise<boolean> {
  const relation = statement.node.relation as { schemaname?: string } | undefined;
  const { rows } = await client.query<{ taken: boolean }>(
    `select to_regclass(format('%I.%I', coalesce($1, current_schema()), $2::text)) is not null as taken`,
    [relation?.schemaname ?? null, statement.node.idxname],
  );
  return rows[0]?.taken === true;
}

const isNamedIndexBuild = (statement: Statement) =>
  statement.kind === 'IndexStmt' &&
  typeof statement.node.idxname === 'string' &&
  statement.node.if_not_exists !== true;

/**
 * Finds, before anything changes, a pending migration that would create an object that
 * already exists, and says whose fault that is. Runs only the statements that can create
 * objects (DDL), in one transaction that is always rolled back: data statements (INSERT,
 * UPDATE, SELECT, DO, …) and index builds are skipped, so sequences are not consumed and
 * heavy data work runs once. Stops quietly at any other error: the real run then applies
 * what precedes it and reports the failure with the migration's own name.
 */
export async function detectConflicts(
  client: pg.Client,
  batch: readonly MigrationFile[],
  setTimeouts: (migration: MigrationFile) => Promise<void>,
): Promise<void> {
  await client.query('begin');
  try {
    await client.query('savepoint before_batch');
    // Index builds are skipped, so the transaction cannot see the indexes the batch makes.
    const indexesOfBatch = new Set<string>();
    for (const [index, migration] of batch.entries()) {
      if (!migration.up.analysis.ok) return;
      await client.query(`savepoint before_${index}`);
      await setTimeouts(migration);
      const indexesHere = new Set<string>();
      const recordIndexes = () => indexesHere.forEach((name) => indexesOfBatch.add(name));
      for (const statement of migration.up.analysis.statements) {
        if (isDataStatement(statement)) continue;
        const line = migration.up.firstLine + statement.line - 1;
        const where = async (stillThere: () => Promise<boolean>): Promise<ConflictSource> => {
          await client.query(`rollback to savepoint before_${index}`);
          if (!(await inSavepoint(client, stillThere))) return 'same-file';
          await client.query('rollback to savepoint before_batch');
          return (await inSavepoint(client, stillThere)) ? 'database' : 'earlier-pending';
        };
        if (isNamedIndexBuild(statement)) {
          const name = statement.node.idxname as string;
          const object = `relation "${name}"`;
          if (indexesHere.has(name))
            throw new MigrationConflictError(migration.name, object, 'same-file', null, line);
          if (indexesOfBatch.has(name))
            throw new MigrationConflictError(migration.name, object, 'earlier-pending', null, line);
          indexesHere.add(name);
          if (await indexNameTaken(client, statement)) {
            const source = await where(() => indexNameTaken(client, statement));
            throw new MigrationConflictError(migration.name, object, source, null, line);
          }
          continue;
        }
        try {
          await client.query(statement.sql);
        } catch (error) {
          if (!isDuplicate(error)) return;
          const stillThere = () =>
            client.query(statement.sql).then(
              () => false,
              (again: unknown) => isDuplicate(again),
            );
          const source = await where(stillThere);
          throw new MigrationConflictError(migration.name, objectNamedIn(error), source, error, line);
        }
      }
      recordIndexes();
    }
  } finally {
    await client.query('rollback');
  }
}
