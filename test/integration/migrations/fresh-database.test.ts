import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createOrm } from '@docuvault/shared/db/orm';
import { migrateUp, migrationStatus, readMigrations } from '@docuvault/shared/migrations/index';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';
import { query, tableNames } from './helpers.ts';

let db: TestDatabase;
let orm: MikroORM;
beforeAll(async () => {
  db = await migratedTestDatabase('fresh');
  orm = await createOrm({ url: db.ownerUrl, poolMax: 1 });
});
afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

const entityMetadata = () => [...orm.getMetadata()].filter((meta) => !meta.abstract && !meta.embeddable);

/** pg_get_indexdef and an entity's raw index SQL, reduced to what matters. */
function normaliseIndexSql(sql: string): string {
  return sql
    .toLowerCase()
    .replaceAll('"', '')
    .replaceAll('public.', '')
    .replace(' using btree', '')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('a fresh database', () => {
  it('gets every migration applied and reports them all APPLIED', async () => {
    const files = await readMigrations();
    const status = await migrationStatus(db.ownerUrl);
    expect(status.upToDate).toBe(true);
    expect(status.migrations.map((m) => [m.name, m.state])).toEqual(files.map((f) => [f.name, 'APPLIED']));
    expect(status.migrations.every((m) => m.appliedAt instanceof Date)).toBe(true);
    expect(status.serverVersion).toMatch(/^\d+/);
    expect(await migrateUp(db.ownerUrl)).toEqual({ applied: [] });
  });

  it('matches the entities exactly: the ORM schema diff is empty', async () => {
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
  });

  it('has every table an entity names, and no table without one', async () => {
    const entityTables = entityMetadata().map((meta) => meta.tableName);
    expect(await tableNames(db.ownerUrl)).toEqual([...entityTables, 'schema_migrations'].sort());
  });

  // MikroORM compares raw-SQL indexes (here: NULLS NOT DISTINCT uniques) by name only,
  // so their definitions are compared here instead.
  it('creates the raw-SQL indexes exactly as the entities declare them', async () => {
    const declared = entityMetadata().flatMap((meta) =>
      [...meta.indexes, ...meta.uniques].filter((index) => typeof index.expression === 'string'),
    );
    expect(declared.length).toBeGreaterThanOrEqual(3);
    for (const index of declared) {
      const [row] = await query<{ indexdef: string }>(
        db.ownerUrl,
        'select indexdef from pg_indexes where indexname = $1',
        [index.name],
      );
      expect(normaliseIndexSql(row?.indexdef ?? 'missing')).toBe(
        normaliseIndexSql(index.expression as string),
      );
    }
  });

  it('treats two anonymous uploads of the same bytes as duplicates', async () => {
    const insert = (key: string) =>
      query(
        db.appUrl,
        `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key)
         values ('t', 't.txt', 'text/plain', 1, $1, $2)`,
        ['a'.repeat(64), key],
      );
    await insert('_anonymous/1');
    await expect(insert('_anonymous/2')).rejects.toMatchObject({ code: '23505' });
  });

  it('fills the search vector from title (A) and extracted text (B)', async () => {
    const [row] = await query<{ vector: string }>(
      db.appUrl,
      `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, extracted_text)
       values ('Quarterly Invoice', 'q.pdf', 'application/pdf', 10, $1, 'k/search', 'payment overdue')
       returning search_vector::text as vector`,
      ['b'.repeat(64)],
    );
    expect(row?.vector).toBe("'invoice':2A 'overdue':4B 'payment':3B 'quarterly':1A");
  });

  it('detects the language when title or text is written, and stems the vectors in it', async () => {
    const german =
      'Die Miete ist bis zum dritten Werktag eines Monats zu zahlen, und die Kündigungsfrist beträgt drei Monate.';
    const english = 'The rent is due on the third working day of each month, and the notice is three months.';
    const [inserted] = await query<{ id: string; language: string; rank: string }>(
      db.appUrl,
      `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, extracted_text)
       values ('Mietvertrag', 'm.txt', 'text/plain', 10, $1, 'k/language', $2)
       returning id, language, search_vector::text as rank`,
      ['c'.repeat(64), german],
    );
    expect(inserted?.language).toBe('german');
    expect(inserted?.rank).toContain("'kundigungsfrist':");
    const [updated] = await query<{ language: string; vector: string }>(
      db.appUrl,
      'update documents set extracted_text = $2 where id = $1 returning language, search_vector::text as vector',
      [inserted?.id, english],
    );
    expect(updated?.language).toBe('english');
    expect(updated?.vector).toContain("'notic':");
    const [short] = await query<{ language: string }>(
      db.appUrl,
      'update documents set extracted_text = $2 where id = $1 returning language',
      [inserted?.id, 'ACME-7731-XQ'],
    );
    expect(short?.language).toBe('simple');
  });

  it("keeps each document's heavy lexemes with their ts_rank_cd weight, rewritten with the text", async () => {
    const text = 'invoice invoice invoice invoice invoice, overdue overdue, one payment';
    const [inserted] = await query<{ id: string }>(
      db.appUrl,
      `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, extracted_text)
       values ('Invoice', 'i.txt', 'text/plain', 10, $1, 'k/terms', $2) returning id`,
      ['d'.repeat(64), text],
    );
    const terms = () =>
      query<{ lexeme: string; score: number; rank: number }>(
        db.appUrl,
        `select t.lexeme, t.score, ts_rank_cd(d.search_vector, to_tsquery('simple', t.lexeme)) as rank
         from document_search_terms t join documents d on d.id = t.document_id
         where t.document_id = $1 order by t.lexeme`,
        [inserted?.id],
      );
    // Title (1.0) and five times in the text (0.4 each); two mentions (0.8) are below 2.0.
    const before = await terms();
    // Too few words for a language: the simple configuration, words as written.
    expect(before.map(({ lexeme }) => lexeme)).toEqual(['invoice']);
    expect(before[0]?.score).toBeCloseTo(3.0, 5);
    expect(before[0]?.score).toBeCloseTo(before[0]!.rank, 5);
    await query(db.appUrl, 'update documents set extracted_text = $2 where id = $1', [
      inserted?.id,
      'overdue overdue overdue overdue overdue',
    ]);
    expect((await terms()).map(({ lexeme }) => lexeme)).toEqual(['overdue']);
    await query(db.appUrl, 'delete from documents where id = $1', [inserted?.id]);
    expect(await terms()).toEqual([]);
  });
});
