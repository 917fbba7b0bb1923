import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countSearchMatches } from '@docuvault/documents/documents/search.repository';
import { createDocumentsTestDeps, type DocumentsTestDeps } from '../../support/stacks/index.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';

// documents.search_vector's statistics keep 3 000 lexemes, not PostgreSQL's default 1 000
// (migrations/2026-12-06T05-10-00-search-vector-statistics-target.sql): a word in a few per
// cent of a large vault is then estimated, where it was counted to one past the limit and
// reported as the planner's bound (docs/adr/0026-search-needles-once-per-query-and-statistics-kept.md).
//
// The vault here is made so that 1 100 lexemes are more frequent than the word: each document
// holds half of 1 100 filler words (each filler in half of the documents), and one in ten holds
// `heron`. The default target keeps the 1 000 most frequent lexemes, all fillers; 3 000 keep
// `heron` too. The limit is scaled down with the table, as in search-count-statistics.test.ts.

const LIMIT = 5;
const DOCUMENTS = 1_000;
const FILLERS = 1_100;
const HERONS = DOCUMENTS / 10;

let t: DocumentsTestDeps;
let owner: TestUser;

/** Whether the planner's statistics of search_vector keep `lexeme`, after analysing. */
async function keptAfterAnalyze(lexeme: string): Promise<boolean> {
  await t.admin.query('analyze documents');
  const { rows } = await t.admin.query<{ kept: boolean }>(
    `select $1 = any(most_common_elems::text::text[]) as kept
     from pg_stats where tablename = 'documents' and attname = 'search_vector'`,
    [lexeme],
  );
  return rows[0]?.kept ?? false;
}

beforeAll(async () => {
  t = await createDocumentsTestDeps('search-count-statistics-target');
  owner = await createTestUser(t.admin);
  // One title for all, so that no lexeme is in one document only.
  await t.admin.query(
    `insert into documents (user_id, title, original_filename, mime_type, size_bytes, sha256, object_key,
                            status, extracted_text)
     select $1::uuid, 'Survey', 'survey-' || i || '.txt', 'text/plain', 1000,
            encode(sha256(convert_to('survey:' || i, 'UTF8')), 'hex'), 'seed/survey-' || i, 'CLASSIFIED',
            (select string_agg('filler' || j, ' ') from generate_series(1, $2::int) as j where (i + j) % 2 = 0)
              || case when i % 10 = 0 then ' heron' else '' end
     from generate_series(1, $3::int) as i`,
    [owner.id, FILLERS, DOCUMENTS],
  );
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('search totals: the statistics the migrations keep for search_vector', () => {
  it('keep a word that 1 100 more frequent lexemes push out of the default, and its total is estimated', async () => {
    expect(await keptAfterAnalyze('heron')).toBe(true);
    const total = await countSearchMatches(t.deps.em.fork(), owner.id, 'heron', undefined, LIMIT);
    expect(total.exact).toBe(false);
    expect(total.count).toBeGreaterThanOrEqual(HERONS * 0.7);
    expect(total.count).toBeLessThanOrEqual(HERONS * 1.3);
  });

  it('(the premise) with the default target the word is not kept', async () => {
    const { rows } = await t.admin.query<{ target: number }>(
      `select attstattarget as target from pg_attribute
       where attrelid = 'documents'::regclass and attname = 'search_vector'`,
    );
    await t.admin.query('alter table documents alter column search_vector set statistics -1');
    try {
      expect(await keptAfterAnalyze('heron')).toBe(false);
    } finally {
      await t.admin.query(
        `alter table documents alter column search_vector set statistics ${Number(rows[0]!.target)}`,
      );
    }
  });
});
