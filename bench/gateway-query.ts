import { ratioOf, ROUNDS } from './support/compare.ts';
import { CONNECTIONS, DOCUMENT_QUERY, singleSubgraphPair } from './support/queries.ts';
import {
  cpuMs,
  ms,
  noFailures,
  perRound,
  ratioFigures,
  sideFigures,
  times,
  type ScenarioResult,
} from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';

// What the gateway costs on a query one subgraph answers: `document(id)` through the
// gateway, and the same query sent straight to the same documents subgraph process,
// signed as the gateway signs (so the subgraph does the same work either way). The two
// sides run in interleaved rounds (support/compare.ts); the ratio is taken per round.
//
//   node bench/gateway-query.ts

/** Issue 17, item 9: through the gateway at least half the direct req/s. */
const TARGET = 0.5;

export const gatewayQuery: Scenario = {
  name: 'single-subgraph query',
  async run(context: Context): Promise<ScenarioResult> {
    const [through, direct] = await singleSubgraphPair(context);
    const ratio = ratioOf(through, direct);
    const p99Ratio = through.median.p99 / direct.median.p99;
    return {
      rows: [
        {
          scenario: `single-subgraph query \`document(id)\`, ${CONNECTIONS} connections`,
          measured: `gateway: ${sideFigures(through)}`,
          reference: `documents subgraph direct: ${sideFigures(direct)}`,
          ratio: `${ratioFigures(ratio)} req/s, ${times(p99Ratio)} p99`,
          target: `≥ ${TARGET}× req/s (median), p99 ≤ 2×`,
          met: ratio.median >= TARGET && p99Ratio <= 2 && noFailures(through, direct),
        },
      ],
      notes: [
        `single-subgraph query: \`${DOCUMENT_QUERY}\` over 50 ids in turn, ${ROUNDS} interleaved rounds ` +
          '(gateway, direct, gateway, direct, …; the ratio is taken per round, its median and range shown); the ' +
          'direct reference sends the same bodies to the same documents process with the request id, anonymous ' +
          'principal and HMAC signature the gateway would add (subgraphs require signatures, as in production). ' +
          `Ratio per round: ${perRound(ratio)}. p95 (median round) through the gateway ` +
          `${ms(through.median.p95)}, direct ${ms(direct.median.p95)}. CPU per request through the gateway: ` +
          `gateway ${cpuMs(through.median.cpuMsPerRequest.gateway!)}, documents ` +
          `${cpuMs(through.median.cpuMsPerRequest.documents!)}; direct: documents ` +
          `${cpuMs(direct.median.cpuMsPerRequest.documents!)}.`,
      ],
    };
  },
};

await runIfMain(gatewayQuery, import.meta.url);
