import { createOrm } from '@docuvault/shared/db/orm';
import pg from 'pg';
import { findHeadlines } from '../subgraphs/documents/src/documents/highlights.repository.ts';
import {
  countSearchMatches,
  searchDocuments,
} from '../subgraphs/documents/src/documents/search.repository.ts';
import { percentile } from './support/load.ts';
import { BROAD, ndcgAt10, SELECTIVE } from './search.ts';

// The search queries alone, without the gateway, on a database seeded by
// bench/seed-vault.ts (which keeps it): what a search page costs in PostgreSQL (page, count
// and headlines, page and count at once as the service runs them), per request, for the
// broad and the selective terms of bench/search.ts, with C concurrent clients. For deciding
// by measurement without re-seeding for every try (a 100 000-document seed takes ~13 min on
// a loaded 2-core machine); `npm run bench` has the figures through the gateway.
//
//   SEARCH_DB_URL=postgres://…/dvt_seed_… SEARCH_MODE=current|before ROUNDS=3 CONNECTIONS=1 \
//     node bench/search-direct.ts
//
// before: the search SQL as it was before docs/adr/0016 (simple configuration, exact
// ts_rank_cd over every match, exact count), on a database seeded before that migration.

const url = process.env.SEARCH_DB_URL!;
const mode = process.env.SEARCH_MODE ?? 'current';
const rounds = Number(process.env.ROUNDS ?? 3);
const connections = Number(process.env.CONNECTIONS ?? 1);
const HEADLINE = `StartSel=<b>, StopSel=</b>, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;

type Run = (q: string) => Promise<string[]>;

function beforeRun(pool: pg.Pool): Run {
  return async (q) => {
    const [page] = await Promise.all([
      pool.query<{ id: string }>(
        `select d.id, ts_rank_cd(d.search_vector, q.query) as rank
         from documents d, websearch_to_tsquery('simple', $1) as q(query)
         where d.user_id is null and d.search_vector @@ q.query order by rank desc, d.id desc limit 21`,
        [q],
      ),
      pool.query(
        `select count(*)::int from documents d
         where d.user_id is null and d.search_vector @@ websearch_to_tsquery('simple', $1)`,
        [q],
      ),
    ]);
    const ids = page.rows.slice(0, 20).map((row) => row.id);
    await pool.query(
      `select ts_headline('simple', left(coalesce(d.extracted_text, ''), 500000), q.query, '${HEADLINE}'),
              ts_headline('simple', d.title, q.query, '${HEADLINE}')
       from documents d, websearch_to_tsquery('simple', $1) as q(query) where d.id = any($2::uuid[])`,
      [q, ids],
    );
    return ids;
  };
}

async function currentRun(): Promise<{ run: Run; close: () => Promise<void> }> {
  const orm = await createOrm({ url, poolMax: connections * 2 + 2 });
  return {
    run: async (q) => {
      const em = orm.em.fork();
      const [hits] = await Promise.all([
        searchDocuments(em, null, q, undefined, 21),
        countSearchMatches(orm.em.fork(), null, q),
      ]);
      const ids = hits.slice(0, 20).map((hit) => hit.document.id);
      await findHeadlines(em, null, ids, q);
      return ids;
    },
    close: () => orm.close(),
  };
}

async function measure(run: Run, terms: string[]): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < terms.length; i++) {
          const q = terms[(i + c) % terms.length]!;
          const t0 = performance.now();
          await run(q);
          times.push(performance.now() - t0);
        }
      }
    }),
  );
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const pool = new pg.Pool({ connectionString: url, max: connections * 2 + 2 });
const current = mode === 'before' ? undefined : await currentRun();
const run = current?.run ?? beforeRun(pool);
const exactQuery =
  mode === 'before'
    ? `websearch_to_tsquery('simple', $1)`
    : `websearch_to_tsquery('english', $1) || websearch_to_tsquery('german', $1) || websearch_to_tsquery('simple', $1)`;
const scores: string[] = [];
for (const q of [...BROAD, ...SELECTIVE]) {
  const ids = await run(q);
  const { rows } = await pool.query<{ id: string; rank: number }>(
    `select d.id, ts_rank_cd(d.search_vector, q.query) as rank from documents d, (select ${exactQuery} as query) q
     where d.user_id is null and d.search_vector @@ q.query`,
    [q],
  );
  scores.push(
    `${q}: ${rows.length} ${ndcgAt10(ids, new Map(rows.map((row) => [row.id, row.rank]))).toFixed(3)}`,
  );
}
const broad = await measure(run, BROAD);
const selective = await measure(run, SELECTIVE);
process.stdout.write(
  `${JSON.stringify({ mode, connections, rounds, broad, selective, ndcg: scores }, null, 1)}\n`,
);
await current?.close();
await pool.end();
