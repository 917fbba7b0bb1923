import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrm } from '@docuvault/shared/db/orm';
import { db } from '@docuvault/shared/db/kysely';
import { executePrepared, preparedStatementsInUse } from '@docuvault/shared/db/prepared';
import type { MikroORM } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';

// A connection whose server side forgot its prepared statements, as behind a pooler that hands
// each transaction another server connection, or after DISCARD ALL (shared/src/db/prepared.ts):
// the statement still answers, unnamed, and the process stops preparing. Its own file: turning
// prepared statements off lasts as long as the module (prepared-statements.test.ts has the rest).

let database: TestDatabase;
let orm: MikroORM;

beforeAll(async () => {
  database = await migratedTestDatabase('prepared-statements-lost');
  // One connection: the one that prepared the statement is the one that forgets it.
  orm = await createOrm({ url: database.appUrl, poolMax: 1 });
}, 120_000);

afterAll(async () => {
  await orm?.close();
  await database?.drop();
});

describe('prepared statements the server forgot', () => {
  it('answers unnamed, and prepares nothing more', async () => {
    const count = () => sql<{ count: number }>`select count(*)::int as count from documents`;
    expect(await executePrepared(orm.em.fork(), count())).toEqual([{ count: 0 }]);
    await sql`deallocate all`.execute(db(orm.em.fork()));
    expect(await executePrepared(orm.em.fork(), count())).toEqual([{ count: 0 }]);
    expect(preparedStatementsInUse()).toBe(false);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(
      db(orm.em.fork()),
    );
    expect(rows).toEqual([{ n: 0 }]);
  });
});
