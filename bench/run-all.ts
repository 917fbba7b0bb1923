import { classification } from './classification.ts';
import { crossSubgraph } from './cross-subgraph.ts';
import { gatewayQuery } from './gateway-query.ts';
import { gatewayVsStock } from './gateway-vs-stock.ts';
import { listPages } from './list-pages.ts';
import { ocr } from './ocr.ts';
import { search } from './search.ts';
import { sharing } from './sharing.ts';
import { thumbnails } from './thumbnails.ts';
import { runScenarios } from './support/scenario.ts';
import { DEFAULT_SEED_DOCUMENTS, SEED_DOCUMENTS } from './support/seed.ts';
import { upload } from './upload.ts';

// `npm run bench`: every scenario against one system (started once, its vault seeded
// once), the table to stdout and bench/results/latest.md, progress to stderr. Each
// scenario's file also runs alone (`node bench/<scenario>.ts`, table to stdout only).
// A partial run (BENCH_ONLY) replaces only its scenarios' rows in latest.md; each row
// names the run it comes from (bench/support/results-file.ts).
//
//   BENCH_DURATION=10 BENCH_WARMUP=3 BENCH_CONNECTIONS=20   seconds per load run, connections
//   BENCH_ROUNDS=5                                          interleaved rounds per comparison
//   BENCH_SEED_DOCUMENTS=100000 BENCH_UPLOAD_BYTES=…       vault size, upload size
//   BENCH_LOG_LEVEL=info BENCH_CPU_PROF=gateway             see bench/support/system.ts
//   BENCH_ONLY=gateway-query,gateway-vs-stock               some scenarios on one system, by file
//                                                           name
//   BENCH_WRITE=0                                           table to stdout only

const scenarios = {
  'gateway-query': gatewayQuery,
  'gateway-vs-stock': gatewayVsStock,
  'cross-subgraph': crossSubgraph,
  upload,
  search,
  'list-pages': listPages,
  classification,
  ocr,
  thumbnails,
  sharing,
};

const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !(name in scenarios)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `BENCH_ONLY: no scenario ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}\n`,
  );
  process.exit(2);
}
const chosen = only ?? Object.keys(scenarios);
// A vault of another size is another measurement, not a newer one of the same rows: its rows
// are kept beside the default size's (search over 100 000 and over 1 000 000 documents).
const keyOf = (name: string) =>
  SEED_DOCUMENTS === DEFAULT_SEED_DOCUMENTS ? name : `${name}@${SEED_DOCUMENTS}`;
await runScenarios(
  chosen.map((name) => [keyOf(name), scenarios[name as keyof typeof scenarios]]),
  { writeResults: process.env.BENCH_WRITE !== '0', order: Object.keys(scenarios) },
);
