import type { Queryable } from './connection.ts';
import type { MigrationFile } from './files.ts';
import type { Statement } from './statements.ts';

// What a run of some migrations leaves in the catalogue, read from their parse trees, so
// that `baseline` and `resolve --applied` can refuse to record migrations whose objects are
// not there. Covers tables (and their columns), indexes, sequences, views, named
// constraints, types, functions, schemas, extensions and triggers; other statements
// (grants, comments, data) leave nothing to check.

export type CatalogueObject =
  | { kind: 'relation'; schema: string | null; name: string }
  | { kind: 'column' | 'constraint' | 'trigger'; schema: string | null; table: string; name: string }
  | { kind: 'type' | 'function'; schema: string | null; name: string }
  | { kind: 'schema' | 'extension'; name: string };

type Tree = Record<string, unknown>;
interface RangeVar {
  schemaname?: string;
  relname: string;
}

const names = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((item: { String?: { sval?: string } }) => item.String?.sval ?? '') : [];
const qualified = (list: unknown) => {
  const parts = names(list);
  return { schema: parts.length > 1 ? parts.at(-2)! : null, name: parts.at(-1)! };
};
const keyOf = (object: CatalogueObject) => JSON.stringify(object);

export function describeObject(object: CatalogueObject): string {
  const schema = 'schema' in object && object.schema ? `${object.schema}.` : '';
  if ('table' in object) return `${object.kind} "${object.name}" of "${schema}${object.table}"`;
  return `${object.kind} "${schema}${object.name}"`;
}

interface Effects {
  creates: CatalogueObject[];
  drops: CatalogueObject[];
}
const none: Effects = { creates: [], drops: [] };
const creating = (...creates: CatalogueObject[]): Effects => ({ creates, drops: [] });

const relation = (value: unknown): CatalogueObject => ({
  kind: 'relation',
  schema: (value as RangeVar).schemaname ?? null,
  name: (value as RangeVar).relname,
});
const on = (value: unknown, kind: 'column' | 'constraint' | 'trigger', name: string): CatalogueObject => ({
  kind,
  schema: (value as RangeVar).schemaname ?? null,
  table: (value as RangeVar).relname,
  name,
});

/** A table, its columns and its named table constraints. */
function createTable(node: Tree): Effects {
  const elements = (node.tableElts as Tree[] | undefined) ?? [];
  const parts = elements.flatMap((element) => {
    const column = element.ColumnDef as { colname?: string } | undefined;
    const constraint = element.Constraint as { conname?: string } | undefined;
    if (column?.colname) return [on(node.relation, 'column', column.colname)];
    if (constraint?.conname) return [on(node.relation, 'constraint', constraint.conname)];
    return [];
  });
  return creating(relation(node.relation), ...parts);
}

function alterTable(node: Tree): Effects {
  const result: Effects = { creates: [], drops: [] };
  for (const item of (node.cmds as Tree[] | undefined) ?? []) {
    const cmd = item.AlterTableCmd as { subtype?: string; name?: string; def?: Tree } | undefined;
    const column = cmd?.def?.ColumnDef as { colname?: string } | undefined;
    const constraint = cmd?.def?.Constraint as { conname?: string } | undefined;
    if (cmd?.subtype === 'AT_AddColumn' && column?.colname)
      result.creates.push(on(node.relation, 'column', column.colname));
    if (cmd?.subtype === 'AT_AddConstraint' && constraint?.conname)
      result.creates.push(on(node.relation, 'constraint', constraint.conname));
    if (cmd?.subtype === 'AT_DropColumn' && cmd.name)
      result.drops.push(on(node.relation, 'column', cmd.name));
    if (cmd?.subtype === 'AT_DropConstraint' && cmd.name)
      result.drops.push(on(node.relation, 'constraint', cmd.name));
  }
  return result;
}

const DROPPED_KINDS: Record<string, 'relation' | 'type'> = {
  OBJECT_TABLE: 'relation',
  OBJECT_INDEX: 'relation',
  OBJECT_SEQUENCE: 'relation',
  OBJECT_VIEW: 'relation',
  OBJECT_MATVIEW: 'relation',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'type',
};

function drop(node: Tree): Effects {
  const kind = DROPPED_KINDS[node.removeType as string];
  if (!kind) return none;
  const drops = ((node.objects as Tree[] | undefined) ?? []).map((object): CatalogueObject => {
    const list = (object.List as { items?: unknown } | undefined)?.items ?? (object.TypeName as Tree)?.names;
    return { kind, ...qualified(list) };
  });
  return { creates: [], drops };
}

/** Objects one statement creates and drops (drops first: `drop … ; create …` replaces). */
function effects(statement: Statement): Effects {
  const node = statement.node as Tree;
  switch (statement.kind) {
    case 'CreateStmt':
      return createTable(node);
    case 'AlterTableStmt':
      return alterTable(node);
    case 'DropStmt':
      return drop(node);
    case 'IndexStmt':
      return node.idxname
        ? creating(relation({ ...(node.relation as RangeVar), relname: node.idxname as string }))
        : none;
    case 'CreateSeqStmt':
      return creating(relation(node.sequence));
    case 'ViewStmt':
      return creating(relation(node.view));
    case 'CreateTableAsStmt':
      return creating(relation((node.into as Tree).rel));
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
      return creating({ kind: 'type', ...qualified(node.typeName) });
    case 'CreateDomainStmt':
      return creating({ kind: 'type', ...qualified(node.domainname) });
    case 'CompositeTypeStmt':
      return creating({
        kind: 'type',
        schema: (node.typevar as RangeVar).schemaname ?? null,
        name: (node.typevar as RangeVar).relname,
      });
    case 'CreateFunctionStmt':
      return creating({ kind: 'function', ...qualified(node.funcname) });
    case 'CreateSchemaStmt':
      return creating({ kind: 'schema', name: node.schemaname as string });
    case 'CreateExtensionStmt':
      return creating({ kind: 'extension', name: node.extname as string });
    case 'CreateTrigStmt':
      return creating(on(node.relation, 'trigger', node.trigname as string));
    default:
      return none;
  }
}

/** What the up sections of `migrations`, run in order on an empty schema, leave behind. */
export function objectsCreatedBy(migrations: readonly MigrationFile[]): CatalogueObject[] {
  const present = new Map<string, CatalogueObject>();
  for (const migration of migrations) {
    if (!migration.up.analysis.ok) continue;
    for (const statement of migration.up.analysis.statements) {
      const { creates, drops } = effects(statement);
      for (const dropped of drops) {
        present.delete(keyOf(dropped));
        // A dropped table takes its columns, constraints and triggers with it.
        if (dropped.kind === 'relation')
          for (const [key, object] of present)
            if ('table' in object && object.table === dropped.name) present.delete(key);
      }
      for (const created of creates) present.set(keyOf(created), created);
    }
  }
  return [...present.values()];
}

const EXISTS: Record<CatalogueObject['kind'], string> = {
  relation: `select to_regclass(format('%I.%I', coalesce($1, current_schema()), $2::text)) is not null as ok`,
  column: `select exists (select from pg_attribute where attrelid = to_regclass(format('%I.%I', coalesce($1, current_schema()), $3::text)) and attname = $2 and not attisdropped) as ok`,
  constraint: `select exists (select from pg_constraint where conrelid = to_regclass(format('%I.%I', coalesce($1, current_schema()), $3::text)) and conname = $2) as ok`,
  trigger: `select exists (select from pg_trigger where tgrelid = to_regclass(format('%I.%I', coalesce($1, current_schema()), $3::text)) and tgname = $2) as ok`,
  type: `select to_regtype(format('%I.%I', coalesce($1, current_schema()), $2::text)) is not null as ok`,
  function: `select exists (select from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = coalesce($1, current_schema()) and p.proname = $2) as ok`,
  schema: `select exists (select from pg_namespace where nspname = $2 and $1::text is null) as ok`,
  extension: `select exists (select from pg_extension where extname = $2 and $1::text is null) as ok`,
};

/** The objects of `expected` that the database does not have. */
export async function missingObjects(
  db: Queryable,
  expected: readonly CatalogueObject[],
): Promise<CatalogueObject[]> {
  const missing: CatalogueObject[] = [];
  for (const object of expected) {
    const schema = 'schema' in object ? object.schema : null;
    const values = 'table' in object ? [schema, object.name, object.table] : [schema, object.name];
    const { rows } = await db.query<{ ok: boolean }>(EXISTS[object.kind], values);
    if (rows[0]?.ok !== true) missing.push(object);
  }
  return missing;
}
