import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrm } from '@docuvault/shared/db/orm';
import { db } from '@docuvault/shared/db/kysely';
import {
  executePrepared,
  MAX_PREPARED_STATEMENTS,
  preparedStatementsInUse,
} from '@docuvault/shared/db/prepared';
import type { MikroORM } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import pg from 'pg';
import { searchDocuments } from '../../../subgraphs/documents/src/documents/search.repository.ts';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';
import { seedDocuments } from '../../support/seed-documents.ts';

// The search page's statements run as prepared statements (shared/src/db/prepared.ts): planned
// once per connection instead of on every search (docs/adr/0028-search-statements-prepared.md).
// One connection in the ORM's pool, so what it prepared can be read back from it.

const probe = () => sql<{ v: string | number }>`select v from prepared_probe`;

let database: TestDatabase;
let orm: MikroORM;
let admin: pg.Pool;

interface Prepared {
  name: string;
  statement: string;
  runs: number;
}

/** The statements prepared on the pool's one connection, with how often each was planned. */
async function preparedOnTheConnection(): Promise<Prepared[]> {
  const { rows } = await sql<Prepared>`select name, statement, (generic_plans + custom_plans)::int as runs
        from pg_prepared_statements where from_sql = false`.execute(db(orm.em.fork()));
  return rows;
}

beforeAll(async () => {
  database = await migratedTestDatabase('prepared-statements');
  admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
  orm = await createOrm({ url: database.appUrl, poolMax: 1 });
  await seedDocuments(admin, { count: 30, titlePrefix: 'Ledger', extractedText: 'a quarterly ledger entry' });
  await seedDocuments(admin, { count: 30, titlePrefix: 'Memo', extractedText: 'a walrus memo' });
  // A table a later test migrates, its statement prepared before the names run out.
  await admin.query('create table prepared_probe (v int)');
  await admin.query('insert into prepared_probe values (7)');
  await admin.query(`grant select on prepared_probe to "${new URL(database.appUrl).username}"`);
  expect(await executePrepared(orm.em.fork(), probe())).toEqual([{ v: 7 }]);
}, 120_000);

afterAll(async () => {
  await orm?.close();
  await admin?.end();
  await database?.drop();
});

describe('prepared statements', () => {
  it('runs a search page as prepared statements, the same answer every time', async () => {
    const answers: string[][] = [];
    for (let i = 0; i < 7; i++) {
      const hits = await searchDocuments(orm.em.fork(), null, 'ledger', undefined, 10);
      answers.push(hits.map((hit) => hit.document.id));
    }
    expect(answers[0]).toHaveLength(10);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    const page = (await preparedOnTheConnection()).filter((p) => p.statement.includes('ts_rank_cd'));
    // The page's statements (the head, and the tail where the head cannot fill the page), each
    // prepared once and run on every search.
    expect(page.length).toBeGreaterThan(0);
    for (const statement of page) expect(statement.runs).toBe(7);
  });

  it('runs inside a transaction on the transaction, seeing what it wrote', async () => {
    const em = orm.em.fork();
    const count = () =>
      sql<{ count: number }>`select count(*)::int as count from documents where title like ${'Draft%'}`;
    const inside = await em.transactional(async (tem) => {
      await sql`insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key)
                values ('Draft 1', 'draft.txt', 'text/plain', 1,
                        encode(sha256('draft'::bytea), 'hex'), 'draft/1')`.execute(db(tem));
      return executePrepared(tem, count());
    });
    expect(inside).toEqual([{ count: 1 }]);
    const outside = await executePrepared(orm.em.fork(), count());
    expect(outside).toEqual([{ count: 1 }]);
  });

  it(`prepares at most ${MAX_PREPARED_STATEMENTS} statements, and runs the others unnamed`, async () => {
    for (let i = 0; i < MAX_PREPARED_STATEMENTS + 20; i++) {
      const [row] = await executePrepared(orm.em.fork(), sql<{ n: number }>`select ${sql.lit(i)}::int as n`);
      expect(row).toEqual({ n: i });
    }
    expect((await preparedOnTheConnection()).length).toBeLessThanOrEqual(MAX_PREPARED_STATEMENTS);
  });

  it('answers after a migration changed its result type, with prepared statements off from then on', async () => {
    // bigint comes back as a string: the statement was planned again, not served from the old plan.
    await admin.query('alter table prepared_probe alter column v type bigint');
    expect(await executePrepared(orm.em.fork(), probe())).toEqual([{ v: '7' }]);
    expect(preparedStatementsInUse()).toBe(false);
  });
});
