import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { loadParser } from '@docuvault/shared/migrations/statements';
import {
  MIGRATION_NAME,
  MigrationFileError,
  checksumOf,
  defaultMigrationsDir,
  parseMigration,
  readMigrations,
} from '@docuvault/shared/migrations/files';

const NAME = '2026-11-23T10-00-00-create-things.sql';

// parseMigration is synchronous; readMigrations loads the parser itself.
beforeAll(() => loadParser());

describe('parseMigration', () => {
  it('splits the up and down sections and remembers where up starts', () => {
    const text = '-- header\n\n-- migrate:up\n\ncreate table t (id int);\n-- migrate:down\ndrop table t;\n';
    const { header, up, down } = parseMigration(NAME, text);
    expect(header).toEqual({ transactional: true });
    expect(up).toMatchObject({ sql: 'create table t (id int);', empty: false, firstLine: 5 });
    expect(down).toMatchObject({ sql: 'drop table t;', empty: false, firstLine: 7 });
    expect(up.analysis).toMatchObject({ ok: true, statements: [{ kind: 'CreateStmt', line: 1 }] });
  });

  it('accepts CRLF line endings and a comment-only down section', () => {
    const parsed = parseMigration(
      NAME,
      '-- migrate:up\r\nselect 1;\r\n-- migrate:down\r\n-- irreversible\r\n',
    );
    expect(parsed.up.sql).toBe('select 1;');
    expect(parsed.down.empty).toBe(true);
  });

  it.each([
    ['no up marker', 'select 1;\n-- migrate:down\n', /exactly one "-- migrate:up"/],
    [
      'two up markers',
      '-- migrate:up\nselect 1;\n-- migrate:up\n-- migrate:down\n',
      /exactly one "-- migrate:up"/,
    ],
    ['no down marker', '-- migrate:up\nselect 1;\n', /exactly one "-- migrate:down"/],
    ['down before up', '-- migrate:down\n-- migrate:up\nselect 1;\n', /must come after/],
    [
      'SQL before up',
      'create table t (id int);\n-- migrate:up\nselect 1;\n-- migrate:down\n',
      /only comments/,
    ],
    ['an empty up', '-- migrate:up\n-- nothing\n-- migrate:down\n', /section is empty/],
    ['a COMMIT', '-- migrate:up\nselect 1;\nCOMMIT;\n-- migrate:down\n', /line 3: "COMMIT" is refused/],
    ['a BEGIN', '-- migrate:up\nbegin;\nselect 1;\n-- migrate:down\n', /line 2: "begin" is refused/],
  ])('rejects %s, naming the file', (_case, text, problem) => {
    expect(() => parseMigration(NAME, text)).toThrow(MigrationFileError);
    expect(() => parseMigration(NAME, text)).toThrow(problem);
    expect(() => parseMigration(NAME, text)).toThrow(NAME);
  });

  it('allows PL/pgSQL blocks, whose BEGIN and END are not transaction control', () => {
    const text = '-- migrate:up\ndo $$\nbegin\n  perform 1;\nend;\n$$;\n-- migrate:down\n';
    expect(parseMigration(NAME, text).up.sql).toContain('end;');
  });
});

describe('MIGRATION_NAME', () => {
  it.each([NAME, '2026-01-02T03-04-05-add-documents-status-index.sql'])('accepts %s', (name) => {
    expect(MIGRATION_NAME.test(name)).toBe(true);
  });
  it.each([
    '2026-11-23-create-things.sql',
    '2026-11-23T10-00-00-create.sql',
    '2026-11-23T10-00-00-Create-Things.sql',
  ])('rejects %s', (name) => {
    expect(MIGRATION_NAME.test(name)).toBe(false);
  });
});

describe('readMigrations', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dv-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads .sql files in name order with the sha256 of their exact bytes, ignoring other files and folders', async () => {
    const later = '2026-11-24T00-00-00-add-things.sql';
    const text = '-- migrate:up\nselect 2;\n-- migrate:down\n';
    await writeFile(path.join(dir, later), text);
    await writeFile(path.join(dir, NAME), '-- migrate:up\nselect 1;\n-- migrate:down\n');
    await writeFile(path.join(dir, 'README.md'), '# not a migration');
    await mkdir(path.join(dir, 'bootstrap'));
    await writeFile(path.join(dir, 'bootstrap', 'init.sql'), 'create role x;');
    const files = await readMigrations(dir);
    expect(files.map((file) => file.name)).toEqual([NAME, later]);
    expect(files[1]?.checksum).toBe(checksumOf(Buffer.from(text)));
  });

  it('refuses a .sql file with a bad name instead of skipping it', async () => {
    await writeFile(path.join(dir, 'create-things.sql'), '-- migrate:up\nselect 1;\n-- migrate:down\n');
    await expect(readMigrations(dir)).rejects.toThrow(
      'create-things.sql: looks like a migration but is not named YYYY-MM-DDTHH-MM-SS-verb-noun.sql',
    );
  });

  it("defaults to the repository's migrations/ folder, whose files all parse", async () => {
    expect(defaultMigrationsDir).toBe(path.resolve(import.meta.dirname, '../../../migrations'));
    expect((await readMigrations()).length).toBeGreaterThan(0);
  });
});
