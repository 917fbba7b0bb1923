import { ROUNDS } from './support/load.ts';
import { CONNECTIONS, DOCUMENT_QUERY, singleSubgraphPair } from './support/queries.ts';
import { cpuMs, loadFigures, ms, times, type ScenarioResult } from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';

// What the gateway costs on a query one subgraph answers: `document(id)` through the
// gateway, and the same query sent straight to the same documents subgraph process,
// signed as the gateway signs (so the subgraph does the same work either way).
//
//   node bench/gateway-query.ts

export const gatewayQuery: Scenario = {
  name: 'single-subgraph query',
  async run(context: Context): Promise<ScenarioResult> {
    const [through, direct] = await singleSubgraphPair(context);
    const rpsRatio = through.rps / direct.rps;
    const p99Ratio = through.p99 / direct.p99;
    return {
      rows: [
        {
          scenario: `single-subgraph query \`document(id)\`, ${CONNECTIONS} connections`,
          measured: `gateway: ${loadFigures(through)}`,
          reference: `documents subgraph direct: ${loadFigures(direct)}`,
          ratio: `${times(rpsRatio)} req/s, ${times(p99Ratio)} p99`,
          target: '≥ 0.6× req/s, p99 ≤ 2×',
          met: rpsRatio >= 0.6 && p99Ratio <= 2 && through.failed === 0,
        },
      ],
      notes: [
        `single-subgraph query: \`${DOCUMENT_QUERY}\` over 50 ids in turn, best of ${ROUNDS} interleaved ` +
          'rounds per side; the direct reference sends the same bodies to the same documents process with the ' +
          'request id, anonymous principal and HMAC signature the gateway would add (subgraphs require ' +
          `signatures, as in production). p95 through the gateway ${ms(through.p95)}, direct ${ms(direct.p95)}. ` +
          `CPU per request through the gateway: gateway ${cpuMs(through.cpuMsPerRequest.gateway!)}, documents ` +
          `${cpuMs(through.cpuMsPerRequest.documents!)}; direct: documents ${cpuMs(direct.cpuMsPerRequest.documents!)}.`,
      ],
    };
  },
};

await runIfMain(gatewayQuery, import.meta.url);
