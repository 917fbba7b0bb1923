import { beforeAll, describe, expect, it } from '@jest/globals';
import { loadParser } from '@docuvault/shared/migrations/statements';
import { objectsCreatedBy } from '@docuvault/shared/migrations/catalogue';
import { parseCommandLine } from '@docuvault/shared/migrations/cli-args';
import { checksumText, parseMigration, type MigrationFile } from '@docuvault/shared/migrations/files';
import { parseDuration, parseHeader } from '@docuvault/shared/migrations/header';
import { analyse, isDataStatement, nonTransactionalReason } from '@docuvault/shared/migrations/statements';
import { lineDiff } from '@docuvault/shared/migrations/text-diff';

const NAME = '2026-11-23T10-00-00-create-things.sql';

// parseMigration is synchronous; readMigrations loads the parser itself.
beforeAll(() => loadParser());

describe('checksumText', () => {
  it('leaves a file in normal form byte for byte', () => {
    const text = '-- migrate:up\nselect 1;\n-- migrate:down\n';
    expect(checksumText(text)).toBe(text);
  });

  it('makes CRLF, CR, trailing blanks and trailing empty lines the same text', () => {
    expect(checksumText('-- migrate:up  \r\nselect 1;\t\r\n-- migrate:down\r\n\r\n\r\n')).toBe(
      '-- migrate:up\nselect 1;\n-- migrate:down\n',
    );
    expect(checksumText('a\rb')).toBe('a\nb\n');
  });

  it('keeps leading indentation and comments: they are part of the reviewed text', () => {
    expect(checksumText('  select 1; -- note\n')).toBe('  select 1; -- note\n');
  });
});

describe('header directives', () => {
  const fail = (problem: string) => new Error(problem);
  it('reads no-transaction and both timeouts', () => {
    expect(
      parseHeader(
        [
          '-- why',
          '-- migrate: no-transaction',
          '-- migrate: lock-timeout 30s',
          '--migrate: statement-timeout 2min',
        ],
        fail,
      ),
    ).toEqual({ transactional: false, lockTimeoutMs: 30_000, statementTimeoutMs: 120_000 });
  });

  it.each([
    '-- migrate: lock-timeout soon',
    '-- migrate: notransaction',
    '-- migrate: no-transaction please',
  ])('refuses %s', (line) => {
    expect(() => parseHeader([line], fail)).toThrow(line);
  });

  it('parses durations in ms, s, min and h only', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('10s'),
      parseDuration('5min'),
      parseDuration('1h'),
    ]).toEqual([500, 10_000, 300_000, 3_600_000]);
    expect(parseDuration('10')).toBeNull();
  });
});

describe('statements', () => {
  const only = (sql: string) => {
    const analysis = analyse(sql);
    if (!analysis.ok) throw new Error(analysis.syntaxError);
    return analysis.statements[0]!;
  };

  it('splits with PostgreSQL’s grammar, giving each statement its line', () => {
    const analysis = analyse("select ';';\n\ncreate table t (id int);\ndo $$ begin end $$;");
    expect(analysis).toMatchObject({
      ok: true,
      statements: [
        { kind: 'SelectStmt', line: 1 },
        { kind: 'CreateStmt', line: 3 },
        { kind: 'DoStmt', line: 4 },
      ],
    });
  });

  it('reports a syntax error instead of guessing', () => {
    expect(analyse('create tabel t (id int)')).toEqual({
      ok: false,
      syntaxError: 'syntax error at or near "tabel"',
    });
  });

  it.each([
    'end',
    'abort',
    'commit and chain',
    'vacuum t',
    'reindex table concurrently t',
    'create database d',
  ])('%s cannot run in a transaction', (sql) => {
    expect(nonTransactionalReason(only(sql))).not.toBeNull();
  });

  it.each(['analyze t', 'analyze t (c)', 'create index i on t (id)'])(
    '%s can run in a transaction',
    (sql) => {
      expect(nonTransactionalReason(only(sql))).toBeNull();
    },
  );

  it('data statements are told apart from DDL', () => {
    expect(isDataStatement(only('insert into t values (1)'))).toBe(true);
    expect(isDataStatement(only('create index i on t (id)'))).toBe(false);
  });
});

describe('objectsCreatedBy', () => {
  const file = (up: string) =>
    ({
      name: NAME,
      ...parseMigration(NAME, `-- migrate:up\n${up}\n-- migrate:down\n`),
    }) as unknown as MigrationFile;

  it('follows creates and drops in order', () => {
    const objects = objectsCreatedBy([
      file(
        'create table a (id int, constraint a_id_check check (id > 0));\ncreate index a_id_index on a (id);',
      ),
      file('alter table a add column note text, drop column id;\ncreate table b (id int);\ndrop table b;'),
    ]);
    expect(objects).toEqual([
      { kind: 'relation', schema: null, name: 'a' },
      { kind: 'constraint', schema: null, table: 'a', name: 'a_id_check' },
      { kind: 'relation', schema: null, name: 'a_id_index' },
      { kind: 'column', schema: null, table: 'a', name: 'note' },
    ]);
  });
});

describe('parseCommandLine', () => {
  it.each([
    [['down', '--to', NAME, '--yes'], { command: 'down', to: NAME, yes: true, plan: false }],
    [['resolve', '--rolled-back', NAME], { command: 'resolve', name: NAME, resolveTo: 'rolled-back' }],
    [['baseline', NAME, '--plan'], { command: 'baseline', name: NAME, plan: true }],
    [['status', '--json'], { command: 'status', json: true }],
  ])('reads %j', (argv, expected) => {
    expect(parseCommandLine(argv)).toMatchObject(expected);
  });

  it.each([
    [['sideways'], 'unknown or missing command'],
    [['baseline'], 'baseline needs a migration name'],
    [['status', '--yes'], '--yes does not apply to status'],
    [['resolve', '--applied', NAME, '--rolled-back', NAME], 'exactly one of'],
    [['up', 'extra'], 'unexpected argument extra'],
  ])('refuses %j', (argv, problem) => {
    expect(parseCommandLine(argv)).toEqual(expect.stringContaining(problem));
  });
});

describe('lineDiff', () => {
  it('marks removed and added lines with context', () => {
    expect(lineDiff('a\nb\nc\nd', 'a\nb\nx\nd')).toBe('@@ line 3 @@\n a\n b\n-c\n+x\n d');
  });
});
