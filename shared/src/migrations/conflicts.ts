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

/** Named index builds of `statements` whose name is taken; one round trip. */
async function takenIndexNames(client: pg.Client, statements: readonly Statement[]): Promise<Set<string>> {
  if (statements.length === 0) return new Set();
  const schemas = statements.map(
    (s) => (s.node.relation as { schemaname?: string } | undefined)?.schemaname ?? null,
  );
  const { rows } = await client.query<{ name: string }>(
    `select t.name from unnest($1::text[], $2::text[]) as t(schema, name)
      where to_regclass(format('%I.%I', coalesce(t.schema, current_schema()), t.name)) is not null`,
    [schemas, statements.map((s) => s.node.idxname)],
  );
  return new Set(rows.map((row) => row.name));
}

const isNamedIndexBuild = (statement: Statement) =>
  statement.kind === 'IndexStmt' &&
  typeof statement.node.idxname === 'string' &&
  statement.node.if_not_exists !== true;

const isDuplicateSql = (client: pg.Client, sql: string) => () =>
  client.query(sql).then(
    () => false,
    (again: unknown) => isDuplicate(again),
  );

/** One pending migration inside the dry run: its savepoint, and how to tell whose an object is. */
interface DryRunStep {
  readonly client: pg.Client;
  readonly migration: MigrationFile;
  /** Rolls back to before this migration, or before the batch, and re-applies its timeouts. */
  rollbackTo(point: 'migration' | 'batch'): Promise<void>;
  lineOf(statement: Statement): number;
}

/** Where an object that is there already comes from: this file, an earlier pending one, or the database. */
async function sourceOf(step: DryRunStep, stillThere: () => Promise<boolean>): Promise<ConflictSource> {
  await step.rollbackTo('migration');
  if (!(await inSavepoint(step.client, stillThere))) return 'same-file';
  await step.rollbackTo('batch');
  return (await inSavepoint(step.client, stillThere)) ? 'database' : 'earlier-pending';
}

/**
 * Runs the migration's DDL in one round trip; on "already exists", again statement by
 * statement to find which one and whose fault it is. False: another error, stop quietly.
 */
async function runDdl(step: DryRunStep, ddl: readonly Statement[]): Promise<boolean> {
  const { client, migration } = step;
  try {
    if (ddl.length > 0) await client.query(ddl.map((statement) => statement.sql).join(';\n'));
    return true;
  } catch (error) {
    if (!isDuplicate(error)) return false;
  }
  await step.rollbackTo('migration');
  for (const statement of ddl) {
    try {
      await client.query(statement.sql);
    } catch (error) {
      if (!isDuplicate(error)) return false;
      const source = await sourceOf(step, isDuplicateSql(client, statement.sql));
      throw new MigrationConflictError(
        migration.name,
        objectNamedIn(error),
        source,
        error,
        step.lineOf(statement),
      );
    }
  }
  return false;
}

/** Index names taken in the file itself, by an earlier pending migration, or in the catalogue. */
async function checkIndexNames(
  step: DryRunStep,
  indexes: readonly Statement[],
  indexesOfBatch: Set<string>,
): Promise<void> {
  const { client, migration } = step;
  const here = new Set<string>();
  for (const statement of indexes) {
    const name = statement.node.idxname as string;
    const source = here.has(name) ? 'same-file' : indexesOfBatch.has(name) ? 'earlier-pending' : null;
    if (source)
      throw new MigrationConflictError(
        migration.name,
        `relation "${name}"`,
        source,
        null,
        step.lineOf(statement),
      );
    here.add(name);
  }
  const taken = await takenIndexNames(client, indexes);
  const first = indexes.find((statement) => taken.has(statement.node.idxname as string));
  if (first) {
    const source = await sourceOf(step, async () => (await takenIndexNames(client, [first])).size > 0);
    const object = `relation "${first.node.idxname as string}"`;
    throw new MigrationConflictError(migration.name, object, source, null, step.lineOf(first));
  }
  here.forEach((name) => indexesOfBatch.add(name));
}

/**
 * Finds, before anything changes, a pending migration that would create an object that
 * already exists, and says whose fault that is. Runs only the statements that can create
 * objects (DDL), in one transaction that is always rolled back: data statements (INSERT,
 * UPDATE, SELECT, DO, …) and named index builds are skipped (the index name is looked up
 * instead), so sequences are not consumed and heavy data work runs once. Stops quietly at
 * any other error: the real run then applies what precedes it and reports the failure
 * with the migration's own name.
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
      const step: DryRunStep = {
        client,
        migration,
        lineOf: (statement: Statement) => migration.up.firstLine + statement.line - 1,
        async rollbackTo(point: 'migration' | 'batch') {
          await client.query(
            `rollback to savepoint ${point === 'batch' ? 'before_batch' : `before_${index}`}`,
          );
          await setTimeouts(migration);
        },
      };
      const creating = migration.up.analysis.statements.filter((statement) => !isDataStatement(statement));
      if (
        !(await runDdl(
          step,
          creating.filter((statement) => !isNamedIndexBuild(statement)),
        ))
      )
        return;
      await checkIndexNames(step, creating.filter(isNamedIndexBuild), indexesOfBatch);
    }
  } finally {
    await client.query('rollback');
  }
}
