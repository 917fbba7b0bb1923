import type pg from 'pg';
import { check, DURATION_S, graphql, once, warm, type LoadOptions, type LoadResult } from './support/load.ts';
import { cpuBetween, databaseCpu } from './support/postgres-cpu.ts';
import { documentBodies } from './support/queries.ts';
import { cpuMs, ms, type Row, type ScenarioResult } from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';
import { SEED_DOCUMENTS } from './support/seed.ts';
import type { System } from './support/system.ts';

// Latency of `search` over the seeded vault (real-language documents, ./support/seed.ts),
// as a search page asks it (first 20 hits with snippets and the total), through the
// gateway, for broad terms (in a third or more of the documents) and selective ones, with
// one connection and with twenty. Then the quality of the approximate order
// (docs/adr/0016): nDCG@10 of the first ten hits against the exact order by ts_rank_cd over
// each match's whole search vector, computed here in SQL over every match. Beside each
// connection count, `document(id)` through the same gateway: the least any query costs on
// this machine (a 2-core machine serves twenty connections at once in turns), and the CPU
// each search costs in the gateway, the documents subgraph and PostgreSQL.
//
//   node bench/search.ts                                                   100 000 documents
//   BENCH_SEED_DOCUMENTS=1000000 BENCH_ONLY=search npm run bench           the 1 000 000 row

const SEARCH_QUERY =
  'query Search($q: String!) { search(query: $q, first: 20) { totalCount totalCountIsExact edges { snippet node { id } } } }';

/** Words of the seeded text found in a third or more of the documents; websearch syntax. */
export const BROAD = [
  'system',
  'support',
  'information',
  'error',
  'function',
  'example',
  'source code',
  'following options',
  'value or number',
  'available',
];
/** Rarer words (well under 1 %), German ones, a reference token. */
export const SELECTIVE = [
  'validation',
  'whitespace',
  'milliseconds',
  'backwards compatibility',
  'Handbuchseiten',
  'Beziehung',
  'r1234',
  'propagating',
  'interpolate',
  'famicom',
  '"bank transfer"',
];
const TARGET_MS = SEED_DOCUMENTS >= 1_000_000 ? 200 : 50;
const NDCG_TARGET = 0.95;

interface Answer {
  search: { totalCount: number; totalCountIsExact: boolean; edges: { node: { id: string } }[] };
}

/** The exact ts_rank_cd of every match, best first (the reference order), in the anonymous vault. */
async function exactRanks(admin: pg.Pool, q: string): Promise<Map<string, number>> {
  const { rows } = await admin.query<{ id: string; rank: number }>(
    `select d.id, ts_rank_cd(d.search_vector, q.query) as rank
     from documents d, (select websearch_to_tsquery('english', $1) || websearch_to_tsquery('german', $1)
                               || websearch_to_tsquery('simple', $1) as query) q
     where d.user_id is null and d.search_vector @@ q.query`,
    [q],
  );
  return new Map(rows.map((row) => [row.id, row.rank]));
}

/** nDCG@10 with each document's exact score as its gain. */
export function ndcgAt10(returned: readonly string[], exact: ReadonlyMap<string, number>): number {
  const dcg = (gains: number[]) => gains.slice(0, 10).reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);
  const ideal = dcg([...exact.values()].sort((a, b) => b - a));
  return ideal === 0 ? 1 : dcg(returned.map((id) => exact.get(id) ?? 0)) / ideal;
}

/** A load run, with the CPU each successful request cost in the gateway, the subgraph and PostgreSQL. */
async function measuredLoad(system: System, options: Omit<LoadOptions, 'url'>) {
  const load = {
    ...options,
    url: system.gatewayUrl,
    pids: { gateway: system.gateway.pid, documents: system.documents.pid },
  };
  await check(load);
  await warm(load);
  const before = await databaseCpu(system.admin);
  const result = await once(load, DURATION_S);
  const after = await databaseCpu(system.admin);
  const postgres = before && after ? (cpuBetween(before, after) * 1000) / Math.max(result.ok, 1) : undefined;
  return { ...result, cpu: { ...result.cpuMsPerRequest, postgres } };
}

const cpuFigures = (cpu: Record<string, number | undefined>) =>
  `CPU per request: gateway ${cpuMs(cpu.gateway!)}, documents ${cpuMs(cpu.documents!)}, PostgreSQL ` +
  (cpu.postgres === undefined ? 'not measured (not on this machine)' : cpuMs(cpu.postgres));

/** With one connection (answers in the order sent): the three terms with the highest p95. */
const slowest = (terms: readonly string[], result: LoadResult): string =>
  result.perBody.length === 0
    ? ''
    : `; slowest: ${terms
        .map((term, i) => ({ term, p95: result.perBody[i]!.p95 }))
        .sort((a, b) => b.p95 - a.p95)
        .slice(0, 3)
        .map(({ term, p95 }) => `\`${term}\` p95 ${ms(p95)}`)
        .join(', ')}`;

async function loadRow(
  system: System,
  terms: string[],
  kind: string,
  connections: number,
  floor: LoadResult,
): Promise<{ row: Row; note: string }> {
  const bodies = terms.map((q) => JSON.stringify({ query: SEARCH_QUERY, variables: { q } }));
  const result = await measuredLoad(system, { bodies, connections });
  const scenario = `search, ${kind} terms, over ${SEED_DOCUMENTS.toLocaleString('en')} documents (seeded), ${connections} connection${connections > 1 ? 's' : ''}`;
  return {
    row: {
      scenario,
      measured: `p50 ${ms(result.p50)}, p95 ${ms(result.p95)}${result.failed ? ` — **${result.failed} failed**` : ''}`,
      reference: `\`document(id)\` through the gateway: p50 ${ms(floor.p50)}, p95 ${ms(floor.p95)}`,
      ratio: `${(result.p95 / floor.p95).toFixed(2)}× p95`,
      target: `p95 < ${TARGET_MS} ms`,
      met: result.p95 < TARGET_MS && result.failed === 0,
    },
    note: `${scenario}: ${Math.round(result.rps)} req/s; ${cpuFigures(result.cpu)}${slowest(terms, result)}.`,
  };
}

export const search: Scenario = {
  name: 'search',
  async run(context: Context): Promise<ScenarioResult> {
    const system = await context.seeded();
    const quality: string[] = [];
    const scores: number[] = [];
    for (const q of [...BROAD, ...SELECTIVE]) {
      const data = await graphql<Answer>(system.gatewayUrl, SEARCH_QUERY, { q });
      const exact = await exactRanks(system.admin, q);
      const score = ndcgAt10(
        data.search.edges.map((edge) => edge.node.id),
        exact,
      );
      scores.push(score);
      const total = data.search.totalCountIsExact
        ? `${data.search.totalCount}`
        : `~${data.search.totalCount} (exact ${exact.size})`;
      quality.push(`\`${q}\` ${total} hits, nDCG@10 ${score.toFixed(3)}`);
    }
    const rows: Row[] = [];
    const cpuNotes: string[] = [];
    const documentQueries = await documentBodies(system);
    for (const connections of [1, 20]) {
      context.say(`search over ${SEED_DOCUMENTS} documents, ${connections} connection(s)…`);
      const floor = await measuredLoad(system, { bodies: documentQueries, connections });
      cpuNotes.push(
        `\`document(id)\`, ${connections} connection(s): ${Math.round(floor.rps)} req/s; ${cpuFigures(floor.cpu)}.`,
      );
      for (const [terms, kind] of [
        [BROAD, 'broad'],
        [SELECTIVE, 'selective'],
      ] as const) {
        const { row, note } = await loadRow(system, [...terms], kind, connections, floor);
        rows.push(row);
        cpuNotes.push(note);
      }
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    rows.push({
      scenario: `search order against exact ts_rank_cd, ${scores.length} queries (broad and selective), over ${SEED_DOCUMENTS.toLocaleString('en')} documents`,
      measured: `nDCG@10 mean ${mean.toFixed(3)}, min ${Math.min(...scores).toFixed(3)}`,
      reference: 'exact order',
      ratio: '—',
      target: `≥ ${NDCG_TARGET}`,
      met: mean >= NDCG_TARGET,
    });
    return {
      rows,
      notes: [
        `search: \`${SEARCH_QUERY}\` through the gateway, queries in turn. Per query (~ = estimated total, with the exact one beside it): ` +
          `${quality.join('; ')}. Seeded text: real-language documents (bench/support/seed.ts: median ` +
          '1 000 words, lognormal, tail past 20 000; one in ten German).',
        `search, the reference and the CPU: \`document(id)\` (support/queries.ts) is measured through the same ` +
          'gateway just before the search rows of each connection count; CPU per request is the CPU time of the ' +
          'gateway, the documents subgraph and the PostgreSQL backends connected to the vault database over the ' +
          `successful requests. ${cpuNotes.join(' ')}`,
      ],
    };
  },
};

await runIfMain(search, import.meta.url);
