import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Document, Topic, DocumentTopic } from '@docuvault/shared/db/entities/index';
import { createOrm } from '@docuvault/shared/db/orm';
import { provisionDatabase } from '@docuvault/shared/db/roles';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';
import { query } from './helpers.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await migratedTestDatabase('roles');
});
afterAll(async () => {
  await db?.drop();
});

const sha = (char: string) => char.repeat(64);

describe('the runtime role', () => {
  it('may not create tables', async () => {
    await expect(query(db.appUrl, 'create table intruder (id int)')).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/permission denied/),
    });
  });

  it('may not drop or alter tables', async () => {
    await expect(query(db.appUrl, 'drop table documents')).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/must be owner of table documents/),
    });
    await expect(query(db.appUrl, 'alter table documents add column x int')).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('may select, insert, update and delete documents', async () => {
    const [inserted] = await query<{ id: string }>(
      db.appUrl,
      `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key)
       values ('a', 'a.txt', 'text/plain', 3, $1, 'k/a') returning id`,
      [sha('1')],
    );
    await query(db.appUrl, "update documents set status = 'CLASSIFIED' where id = $1", [inserted!.id]);
    const [row] = await query<{ status: string }>(db.appUrl, 'select status from documents where id = $1', [
      inserted!.id,
    ]);
    expect(row?.status).toBe('CLASSIFIED');
    await query(db.appUrl, 'delete from documents where id = $1', [inserted!.id]);
    expect(await query(db.appUrl, 'select 1 from documents where id = $1', [inserted!.id])).toHaveLength(0);
  });

  it('may read the migration ledger but not write it', async () => {
    expect((await query(db.appUrl, 'select name from schema_migrations')).length).toBeGreaterThan(0);
    await expect(query(db.appUrl, 'delete from schema_migrations')).rejects.toMatchObject({ code: '42501' });
  });

  it('works through the ORM: insert, generated search vector, relations', async () => {
    const orm = await createOrm({ url: db.appUrl, poolMax: 2 });
    try {
      const em = orm.em.fork();
      const document = em.create(Document, {
        title: 'Tax return 2025',
        originalFilename: 'tax.pdf',
        mimeType: 'application/pdf',
        sizeBytes: 2_000_000_000,
        sha256: sha('2'),
        objectKey: '_anonymous/tax.pdf',
      });
      const topic = em.create(Topic, { name: 'Taxes', matchMode: 'ANY', pattern: 'tax' });
      em.create(DocumentTopic, { document, topic, confidence: 0.9, source: 'RULE' });
      await em.flush();

      const found = await orm.em.fork().findOneOrFail(Document, { id: document.id });
      expect(found).toMatchObject({ status: 'UPLOADED', sizeBytes: 2_000_000_000, user: null });
      expect(found.createdAt).toBeInstanceOf(Date);
      const [vector] = await query<{ matches: boolean }>(
        db.appUrl,
        "select search_vector @@ to_tsquery('simple', 'tax') as matches from documents where id = $1",
        [document.id],
      );
      expect(vector?.matches).toBe(true);
    } finally {
      await orm.close();
    }
  });
});

describe('provisionDatabase', () => {
  it('is idempotent: running it again on the same names changes nothing and still works', async () => {
    const adminUrl = process.env.TEST_DATABASE_URL!;
    const options = {
      database: db.name,
      ownerRole: `${db.name}_owner`,
      ownerPassword: new URL(db.ownerUrl).password,
      appRole: `${db.name}_app`,
      appPassword: new URL(db.appUrl).password,
    };
    const urls = await provisionDatabase(adminUrl, options);
    expect(urls).toEqual({ ownerUrl: db.ownerUrl, appUrl: db.appUrl });
    expect(await query(urls.appUrl, 'select count(*) from documents')).toHaveLength(1);
  });
});
