import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDocumentsTestDeps, type DocumentsTestDeps } from '../../support/stacks/index.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';

// documents.extracted_text and documents.search_vector are stored out of line uncompressed
// (migrations/2026-12-06T07-00-00-search-texts-stored-uncompressed.sql): a search page's
// headlines and ranks read them, and decompressing them cost a sixth of a page's headline CPU
// (docs/adr/0027-search-texts-stored-uncompressed.md). The text here compresses well, so
// PostgreSQL's default storage would compress both.

const WORDS = 20_000;

let t: DocumentsTestDeps;
let owner: TestUser;

interface Stored {
  textMethod: string | null;
  textBytes: number;
  textStored: number;
  vectorMethod: string | null;
}

/** Writes a document with a long, repetitive text as the worker does (the text set after the insert). */
async function storedAfterWrite(name: string): Promise<Stored> {
  const {
    rows: [inserted],
  } = await t.admin.query<{ id: string }>(
    `insert into documents (user_id, title, original_filename, mime_type, size_bytes, sha256, object_key, status)
     values ($1::uuid, $2, $2 || '.txt', 'text/plain', 1000, encode(sha256(convert_to($2, 'UTF8')), 'hex'),
             'seed/' || $2, 'UPLOADED')
     returning id`,
    [owner.id, name],
  );
  await t.admin.query(
    `update documents set status = 'CLASSIFIED',
            extracted_text = (select string_agg('ledger' || i || ' entry ' || (i % 50), ' ') from generate_series(1, $2::int) as i)
     where id = $1`,
    [inserted!.id, WORDS],
  );
  const {
    rows: [stored],
  } = await t.admin.query<Stored>(
    `select pg_column_compression(extracted_text) as "textMethod", octet_length(extracted_text) as "textBytes",
            pg_column_size(extracted_text) as "textStored", pg_column_compression(search_vector) as "vectorMethod"
     from documents where id = $1`,
    [inserted!.id],
  );
  return stored!;
}

beforeAll(async () => {
  t = await createDocumentsTestDeps('search-texts-stored-uncompressed');
  owner = await createTestUser(t.admin);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('search texts: how the migrations store a document text and its search vector', () => {
  it('stores a long text and its search vector uncompressed', async () => {
    const stored = await storedAfterWrite('ledger-uncompressed');
    expect(stored.textMethod).toBeNull();
    expect(stored.vectorMethod).toBeNull();
    expect(stored.textStored).toBeGreaterThanOrEqual(stored.textBytes);
  });

  it('(the premise) with the default storage the same text and vector are compressed', async () => {
    const columns = ['extracted_text', 'search_vector'];
    for (const column of columns)
      await t.admin.query(`alter table documents alter column ${column} set storage extended`);
    try {
      const stored = await storedAfterWrite('ledger-compressed');
      expect(stored.textMethod).not.toBeNull();
      expect(stored.vectorMethod).not.toBeNull();
      expect(stored.textStored).toBeLessThan(stored.textBytes / 2);
    } finally {
      for (const column of columns)
        await t.admin.query(`alter table documents alter column ${column} set storage external`);
    }
  });
});
