// Directives in a migration's header (the comment lines before `-- migrate:up`):
//
//   -- migrate: no-transaction          run statement by statement, outside any transaction
//   -- migrate: lock-timeout 30s        this migration's lock_timeout (default: MIGRATE_LOCK_TIMEOUT_MS)
//   -- migrate: statement-timeout 10min this migration's statement_timeout (default: MIGRATE_STATEMENT_TIMEOUT_MS)
//
// An unknown directive is an error: a typo must not silently run a migration differently.

export interface MigrationHeader {
  readonly transactional: boolean;
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
}

const DIRECTIVE = /^--\s*migrate:\s*(.*)$/i;
const UNITS: Record<string, number> = { ms: 1, s: 1_000, min: 60_000, h: 3_600_000 };

/** `500ms`, `10s`, `5min`, `1h` → milliseconds; null when not one of those. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,7})(ms|s|min|h)$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2]!]! : null;
}

export function parseHeader(lines: readonly string[], fail: (problem: string) => Error): MigrationHeader {
  let header: { transactional: boolean; lockTimeoutMs?: number; statementTimeoutMs?: number } = {
    transactional: true,
  };
  for (const line of lines) {
    const directive = DIRECTIVE.exec(line.trim())?.[1]?.trim().toLowerCase();
    if (directive === undefined) continue;
    const [word, value, ...rest] = directive.split(/\s+/);
    if (word === 'no-transaction' && value === undefined) {
      header = { ...header, transactional: false };
      continue;
    }
    if ((word === 'lock-timeout' || word === 'statement-timeout') && value && rest.length === 0) {
      const ms = parseDuration(value);
      if (ms === null) throw fail(`"${line.trim()}": the duration must look like 500ms, 10s, 5min or 1h`);
      header =
        word === 'lock-timeout' ? { ...header, lockTimeoutMs: ms } : { ...header, statementTimeoutMs: ms };
      continue;
    }
    throw fail(
      `unknown header directive "${line.trim()}" (known: no-transaction, lock-timeout <d>, statement-timeout <d>)`,
    );
  }
  return header;
}
