import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { generateCorpus } from '../../devkit/fixtures/corpus.ts';

// The anonymous vault filled with classified documents, straight into the table (the
// upload path has a scenario of its own). Text from the classifier tests' corpus
// generator: five topics of 20 words each, shared words and some cross-topic noise; each
// row's extracted text is two corpus documents of its topic (about 70 words) and a
// reference token `rNNNN` that one row in 5 000 shares (a selective search term). Most of
// the seeding time is PostgreSQL building each row's search vector.
// created_at one second apart, newest first, like a vault filled over a day and more.

export const SEED_DOCUMENTS = Number(process.env.BENCH_SEED_DOCUMENTS ?? 100_000);
const BATCH = 10_000;

export interface SeedResult {
  count: number;
  ms: number;
}

export async function seedVault(admin: pg.Pool, count = SEED_DOCUMENTS): Promise<SeedResult> {
  const started = performance.now();
  const run = randomBytes(6).toString('hex');
  // Same-topic documents are 5 apart in the generator's interleaved output.
  const corpus = generateCorpus(Math.ceil(count / 5) + 2);
  const insert = async (start: number) => {
    const rows = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => start + k);
    const texts = rows.map(
      (i) => `${corpus[i]!.text} ${corpus[i + 5]!.text} Reference r${String(i % 5_000).padStart(4, '0')}.`,
    );
    await admin.query(
      `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, status,
                              extracted_text, created_at, updated_at)
       select 'Document ' || t.i, 'document-' || t.i || '.pdf', 'application/pdf', 20000 + (t.i * 37) % 500000,
              encode(sha256(convert_to($1 || ':' || t.i, 'UTF8')), 'hex'),
              '_anonymous/bench-' || $1 || '/' || t.i || '.pdf', 'CLASSIFIED', t.text,
              now() - make_interval(secs => t.i), now() - make_interval(secs => t.i)
       from unnest($2::int[], $3::text[]) as t(i, text)`,
      [run, rows, texts],
    );
  };
  // Two batches at a time: one per core.
  for (let start = 0; start < count; start += 2 * BATCH) {
    await Promise.all([insert(start), start + BATCH < count ? insert(start + BATCH) : undefined]);
  }
  // As autovacuum would, but now rather than in the middle of a measurement.
  await admin.query('vacuum (analyze) documents');
  return { count, ms: Math.round(performance.now() - started) };
}
