import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { loadCorpus } from './corpus.ts';

// The anonymous vault filled with classified documents of real-language text, straight
// into the table (the upload path has a scenario of its own), generated inside PostgreSQL
// so that a million documents need no transfer: ./corpus.ts's text is stored in 64 KiB
// chunks, and each document is a run of passages (at most 1 500 words each, every one cut
// from a chunk at a pseudo-random offset). Deterministic: row i is the same in every run.
//
// Length: words = exp(ln 1000 + 0.9·z), z standard normal (Box–Muller on two hashes of i),
// clamped to [80, 40 000]: median 1 000 words, mean ≈ 1 500, one document in ~2 300 past
// 20 000 words (the contracts and manuals of a vault). One document in ten is German
// (German manual pages), the rest English (package descriptions, /usr/share/doc).
// Titles: a package's short description (English) or the first words of the text (German).
// Each text ends with a reference token `rNNNN` that one row in 5 000 shares (a selective
// term like an invoice number). created_at one second apart, newest first.
// Most of the seeding time is PostgreSQL building each row's search vector; the secondary
// indexes (the vector's GIN, document_search_terms') are dropped first and built once at
// the end, which is several times cheaper than maintaining them row by row.
//
// Light (realistic: false): the same rows with 20–200 words each (median 60), for the
// scenarios that need rows, not realistic text (listing, gateway overhead): seconds, not
// the half hour of the realistic 100 000.

export const DEFAULT_SEED_DOCUMENTS = 100_000;
export const SEED_DOCUMENTS = Number(process.env.BENCH_SEED_DOCUMENTS ?? DEFAULT_SEED_DOCUMENTS);
/** Batches inserted at once, each on its own connection (one per core by default). */
export const SEED_CONNECTIONS = Number(process.env.BENCH_SEED_CONNECTIONS ?? 2);

export interface SeedShape {
  medianWords: number;
  sigma: number;
  minWords: number;
  maxWords: number;
}
export const REALISTIC: SeedShape = { medianWords: 1_000, sigma: 0.9, minWords: 80, maxWords: 40_000 };
export const LIGHT: SeedShape = { medianWords: 60, sigma: 0.3, minWords: 20, maxWords: 200 };
const BATCH = 1_000;
const CHUNK_CHARS = 64 * 1024;
const PASSAGE_WORDS = 1_500;
/** Characters a passage takes per word it should hold: measured on the corpus (more characters,
 * more words: 7.2 made the median 904 words, 7.6 made 952, 7.8 made 982, 8.2 made 1 023 in
 * 10 000 documents; a passage's cut words and the parser's split words count as spaces). */
const CHARS_PER_WORD = 8.2;

export interface SeedResult {
  count: number;
  ms: number;
  /** pg_total_relation_size(documents) after seeding, bytes. */
  bytes: number;
  /** Words per document in a sample (about 5 000 rows); over20k scaled to the whole table. */
  words: { median: number; p99: number; max: number; over20k: number };
  realistic: boolean;
  connections: number;
  /** Of ms: building the secondary indexes after the inserts. */
  indexMs: number;
}

/** Splits at a space at most `size` characters in. */
function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let start = 0; start < text.length;) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) end = text.lastIndexOf(' ', end) > start ? text.lastIndexOf(' ', end) : end;
    out.push(text.slice(start, end));
    start = end + 1;
  }
  return out;
}

async function loadCorpusTables(admin: pg.Pool): Promise<void> {
  const corpus = await loadCorpus();
  await admin.query(`drop table if exists bench_corpus, bench_titles;
    create unlogged table bench_corpus (lang text, n int, body text, chars int, primary key (lang, n));
    create unlogged table bench_titles (n int primary key, title text);`);
  for (const [lang, text] of [
    ['en', corpus.english],
    ['de', corpus.german],
  ] as const) {
    const parts = chunks(text, CHUNK_CHARS);
    await admin.query(
      `insert into bench_corpus select $1, t.n - 1, t.body, length(t.body)
       from unnest($2::text[]) with ordinality as t(body, n)`,
      [lang, parts],
    );
  }
  await admin.query(
    `insert into bench_titles select t.n - 1, t.title from unnest($1::text[]) with ordinality as t(title, n)`,
    [corpus.titles],
  );
  await admin.query('analyze bench_corpus; analyze bench_titles');
}

// u(i, salt) in (0, 1]: a hash of the row number, uniform enough for lengths and offsets.
const U = (salt: string) => `(((hashtext(g.i::text || '${salt}') & 2147483647) + 1)::float8 / 2147483648)`;

const insertBatch = (shape: SeedShape) => `
  with n as (
    select (select count(*) from bench_corpus where lang = 'en')::int as en,
           (select count(*) from bench_corpus where lang = 'de')::int as de,
           (select count(*) from bench_titles)::int as titles
  ), g as (
    select i, words, lang, case lang when 'de' then n.de else n.en end as chunks, n.titles
    from (select i,
                 greatest(${shape.minWords}, least(${shape.maxWords}, round(exp(ln(${shape.medianWords}) + ${shape.sigma} *
                   sqrt(-2 * ln(${U('a')})) * cos(2 * pi() * ${U('b')})))))::int as words,
                 case when ${U('c')} < 0.1 then 'de' else 'en' end as lang
          from generate_series($2::int, $3::int - 1) as g(i)) as g, n
  ), docs as (
    select g.i, g.lang, g.titles,
           (select string_agg(substr(c.body, 1 + (hashtext(g.i::text || 'o' || p.k) & 2147483647)
                                                 % greatest(1, c.chars - p.len), p.len), ' ' order by p.k)
            from (select k, (hashtext(g.i::text || ':' || k) & 2147483647) % g.chunks as chunk,
                         (least(${PASSAGE_WORDS}, g.words - (k - 1) * ${PASSAGE_WORDS}) * ${CHARS_PER_WORD})::int as len
                  from generate_series(1, ceil(g.words / ${PASSAGE_WORDS}.0)::int) as k) as p
            join bench_corpus c on c.lang = g.lang and c.n = p.chunk)
           || ' Reference r' || lpad((g.i % 5000)::text, 4, '0') || '.' as text
    from g
  )
  insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, status,
                         extracted_text, created_at, updated_at)
  select case when docs.lang = 'en'
              then (select t.title from bench_titles t where t.n = (hashtext(docs.i::text) & 2147483647) % docs.titles)
              else array_to_string((regexp_split_to_array(left(docs.text, 300), '\\s+'))[2:9], ' ') end,
         'document-' || docs.i || '.pdf', 'application/pdf', 20000 + (docs.i * 37) % 500000,
         encode(sha256(convert_to($1 || ':' || docs.i, 'UTF8')), 'hex'),
         '_anonymous/bench-' || $1 || '/' || docs.i || '.pdf', 'CLASSIFIED', docs.text,
         now() - make_interval(secs => docs.i), now() - make_interval(secs => docs.i)
  from docs`;

/** Non-unique indexes of the seeded tables, dropped during the inserts and rebuilt after. */
async function dropSecondaryIndexes(admin: pg.Pool): Promise<string[]> {
  const { rows } = await admin.query<{ name: string; def: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
     from pg_index i join pg_class t on t.oid = i.indrelid
     where t.relname in ('documents', 'document_search_terms') and t.relnamespace = 'public'::regnamespace
       and not i.indisunique and not i.indisprimary`,
  );
  for (const row of rows) await admin.query(`drop index ${row.name}`);
  return rows.map((row) => row.def);
}

/** One connection per index (the GIN is most of it), with room to sort in memory. */
async function buildIndexes(admin: pg.Pool, definitions: string[]): Promise<void> {
  await Promise.all(
    definitions.map(async (definition) => {
      const client = await admin.connect();
      try {
        await client.query(`set maintenance_work_mem = '256MB'`);
        await client.query(definition);
      } finally {
        await client.query('reset maintenance_work_mem');
        client.release();
      }
    }),
  );
}

export interface SeedOptions {
  /** Realistic text (default) or the light shape. */
  realistic?: boolean;
  connections?: number;
  progress?: (line: string) => void;
}

export async function seedVault(
  admin: pg.Pool,
  count = SEED_DOCUMENTS,
  { realistic = true, connections = SEED_CONNECTIONS, progress = () => {} }: SeedOptions = {},
): Promise<SeedResult> {
  const started = performance.now();
  const run = randomBytes(6).toString('hex');
  const insert = insertBatch(realistic ? REALISTIC : LIGHT);
  await loadCorpusTables(admin);
  const indexes = await dropSecondaryIndexes(admin);
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      next += BATCH;
      await admin.query(insert, [run, start, Math.min(count, start + BATCH)]);
      done += Math.min(BATCH, count - start);
      if (done % (BATCH * 25) === 0)
        progress(`seeded ${done} documents, ${Math.round((performance.now() - started) / 1000)} s`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const indexStarted = performance.now();
  await buildIndexes(admin, indexes);
  const indexMs = Math.round(performance.now() - indexStarted);
  await admin.query('drop table bench_corpus, bench_titles');
  // As autovacuum would, but now rather than in the middle of a measurement.
  await admin.query('vacuum (analyze) documents');
  const {
    rows: [stats],
  } = await admin.query<{ bytes: string; median: number; p99: number; max: number; over20k: number }>(
    `select pg_total_relation_size('documents') as bytes, w.*
     from (select percentile_disc(0.5) within group (order by n)::int as median,
                  percentile_disc(0.99) within group (order by n)::int as p99, max(n)::int as max,
                  round(count(*) filter (where n > 20000) * 100 / $1)::int as over20k
           -- The text has single spaces between words (./corpus.ts), so spaces + 1 is the word count.
           from (select length(extracted_text) - length(replace(extracted_text, ' ', '')) + 1 as n
                 from documents tablesample system ($1) repeatable (1)) s) w`,
    [Math.min(100, 500_000 / count)],
  );
  const { bytes, ...words } = stats!;
  return {
    count,
    ms: Math.round(performance.now() - started),
    bytes: Number(bytes),
    words,
    realistic,
    connections,
    indexMs,
  };
}
