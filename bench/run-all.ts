import { classification } from './classification.ts';
import { crossSubgraph } from './cross-subgraph.ts';
import { gatewayQuery } from './gateway-query.ts';
import { gatewayVsStock } from './gateway-vs-stock.ts';
import { listPages } from './list-pages.ts';
import { ocr } from './ocr.ts';
import { search } from './search.ts';
import { runScenarios } from './support/scenario.ts';
import { upload } from './upload.ts';

// `npm run bench`: every scenario against one system (started once, its vault seeded
// once), the table to stdout and bench/results/latest.md, progress to stderr. Each
// scenario's file also runs alone (`node bench/<scenario>.ts`, table to stdout only).
//
//   BENCH_DURATION=10 BENCH_WARMUP=3 BENCH_CONNECTIONS=20   seconds per load run, connections
//   BENCH_SEED_DOCUMENTS=100000 BENCH_UPLOAD_BYTES=…       vault size, upload size
//   BENCH_LOG_LEVEL=info BENCH_CPU_PROF=gateway             see bench/support/system.ts

await runScenarios(
  [gatewayQuery, gatewayVsStock, crossSubgraph, upload, search, listPages, classification, ocr],
  {
    writeResults: true,
  },
);
