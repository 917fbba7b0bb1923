import type { Node } from 'libpg-query';

// PostgreSQL's own grammar (libpg_query, compiled to WebAssembly: nothing is downloaded
// at install time) splits and classifies every statement of a migration, so a synonym
// (`END`, `ABORT`) or a clause (`AND CHAIN`, `CONCURRENTLY`) cannot slip past a pattern.
// Loaded on first use only: `status` and the services' readiness checks never parse SQL.
let loading: Promise<void> | undefined;
let parseSync:
  ((sql: string) => { stmts?: { stmt?: Node; stmt_location?: number; stmt_len?: number }[] }) | undefined;
export function loadParser(): Promise<void> {
  loading ??= import('libpg-query').then(async (parser) => {
    await parser.loadModule();
    parseSync = parser.parseSync;
  });
  return loading;
}

export interface Statement {
  /** The statement's text, exactly as in the file (without its terminating semicolon). */
  readonly sql: string;
  /** The parse tree's node name: `CreateStmt`, `InsertStmt`, `TransactionStmt`, … */
  readonly kind: string;
  /** The parse tree node itself (the value under `kind`). */
  readonly node: Record<string, unknown>;
  /** 1-based line of the statement's first character within the section's SQL. */
  readonly line: number;
}

export type Analysis =
  | { readonly ok: true; readonly statements: readonly Statement[] }
  /** PostgreSQL would reject the text as a whole before running any of it; the server reports where. */
  | { readonly ok: false; readonly syntaxError: string };

/** Splits SQL into statements with PostgreSQL's parser; offsets from the parser are UTF-8 bytes. */
export function analyse(sql: string): Analysis {
  if (!parseSync) throw new Error('the SQL parser is not loaded: await loadParser() first');
  let stmts;
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch (error) {
    return { ok: false, syntaxError: error instanceof Error ? error.message : String(error) };
  }
  const bytes = Buffer.from(sql, 'utf8');
  const statements = stmts.flatMap((raw): Statement[] => {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const text = bytes.subarray(start, end).toString('utf8');
    const [kind, node] = Object.entries(raw.stmt as Node)[0] as [string, Record<string, unknown>];
    const leading = text.length - text.trimStart().length;
    const before = bytes.subarray(0, start).toString('utf8') + text.slice(0, leading);
    return [{ sql: text.trim(), kind, node, line: 1 + (before.match(/\n/g)?.length ?? 0) }];
  });
  return { ok: true, statements };
}

const hasOption = (node: Record<string, unknown>, name: string) =>
  Array.isArray(node.params) &&
  node.params.some((param: { DefElem?: { defname?: string } }) => param.DefElem?.defname === name);

/**
 * Why a statement cannot be part of a migration's transaction, or null when it can.
 * Transaction control would end the runner's transaction (and turn the dry run's
 * rollback into a commit); the others refuse to run inside a transaction block at all.
 */
export function nonTransactionalReason(statement: Statement): string | null {
  const { kind, node } = statement;
  switch (kind) {
    case 'TransactionStmt':
      return 'transaction control (BEGIN/COMMIT/END/ABORT/ROLLBACK/SAVEPOINT/PREPARE TRANSACTION) would end or split the transaction the runner owns';
    case 'VacuumStmt':
      // ANALYZE is a VacuumStmt too, and may run in a transaction. The parse tree leaves out
      // false fields, so ANALYZE's node has no is_vacuumcmd at all.
      return node.is_vacuumcmd === true ? 'VACUUM cannot run inside a transaction' : null;
    case 'CreatedbStmt':
    case 'DropdbStmt':
      return 'CREATE/DROP DATABASE cannot run inside a transaction';
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
      return 'CREATE/DROP TABLESPACE cannot run inside a transaction';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM cannot run inside a transaction';
    case 'CreateSubscriptionStmt':
    case 'AlterSubscriptionStmt':
    case 'DropSubscriptionStmt':
      return 'subscription commands may not run inside a transaction';
    case 'IndexStmt':
    case 'DropStmt':
      return node.concurrent === true ? 'CONCURRENTLY cannot run inside a transaction' : null;
    case 'ReindexStmt':
      if (hasOption(node, 'concurrently')) return 'REINDEX CONCURRENTLY cannot run inside a transaction';
      return node.kind === 'REINDEX_OBJECT_SYSTEM' || node.kind === 'REINDEX_OBJECT_DATABASE'
        ? 'REINDEX SYSTEM/DATABASE cannot run inside a transaction'
        : null;
    case 'ClusterStmt':
      return node.relation ? null : 'CLUSTER without a table cannot run inside a transaction';
    case 'DiscardStmt':
      return node.target === 'DISCARD_ALL' ? 'DISCARD ALL cannot run inside a transaction' : null;
    default:
      return null;
  }
}

/**
 * Statements refused in every migration, transactional or not: changing the session's
 * role would create objects owned by someone else, and a session-level SET outlives the
 * migration and leaks into the next one on the same connection.
 */
export function forbiddenReason(statement: Statement): string | null {
  const { kind, node } = statement;
  if (kind === 'TransactionStmt') {
    return nonTransactionalReason(statement);
  }
  if (kind === 'VariableSetStmt') {
    const name = typeof node.name === 'string' ? node.name.toLowerCase() : '';
    if (name === 'role' || name === 'session_authorization' || name === 'session')
      return 'SET ROLE / SET SESSION AUTHORIZATION would create objects owned by another role';
    if (node.kind === 'VAR_RESET_ALL') return 'RESET ALL would undo the runner’s timeouts';
    if (node.is_local !== true && name !== 'transaction' && name !== 'session_characteristics')
      return `a session-level SET ${name} outlives the migration; use SET LOCAL`;
  }
  return null;
}

/** Statements that only read or write rows: they cannot create an object, so the dry run skips them. */
const DATA_KINDS = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'CopyStmt',
  'DoStmt',
  'CallStmt',
  'ExplainStmt',
  'NotifyStmt',
  'LockStmt',
  'RefreshMatViewStmt',
  'ClusterStmt',
  'VacuumStmt',
  'TruncateStmt',
]);

export function isDataStatement(statement: Statement): boolean {
  return DATA_KINDS.has(statement.kind);
}
