import { runLoad } from './support/load.ts';
import {
  CONNECTIONS,
  DOWNLOADS_QUERY,
  downloadsBodies,
  listBodies,
  singleSubgraphPair,
} from './support/queries.ts';
import { cpuMs, loadFigures, ms, times, type ScenarioResult } from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';

// A query two subgraphs answer: the newest 20 documents (documents subgraph) with a
// presigned download URL each (storage subgraph, one entity fetch for the 20), through the
// gateway, against the single-subgraph `document(id)` through the same gateway. The same
// 20 documents without `download` are measured too, to tell the second hop's cost from
// the cost of a 20-row page.
//
//   node bench/cross-subgraph.ts

export const crossSubgraph: Scenario = {
  name: 'cross-subgraph query',
  async run(context: Context): Promise<ScenarioResult> {
    // The median round of `document(id)` through the gateway (gateway-query.ts measures it).
    const single = (await singleSubgraphPair(context))[0].median;
    const system = await context.seeded({ realistic: false });
    context.say(`20 documents with download { url } through the gateway, ${CONNECTIONS} connections…`);
    const cross = await runLoad({
      url: system.gatewayUrl,
      bodies: downloadsBodies(),
      connections: CONNECTIONS,
      pids: { gateway: system.gateway.pid, documents: system.documents.pid, storage: system.storage.pid },
    });
    context.say(`the same 20 documents without download, through the gateway, ${CONNECTIONS} connections…`);
    const list = await runLoad({ url: system.gatewayUrl, bodies: listBodies(), connections: CONNECTIONS });
    const p99Ratio = cross.p99 / single.p99;
    return {
      rows: [
        {
          scenario: `cross-subgraph query: 20 documents with \`download { url }\`, ${CONNECTIONS} connections`,
          measured: loadFigures(cross),
          reference: `\`document(id)\` through the gateway: ${loadFigures(single)}`,
          ratio: `${times(p99Ratio)} p99, ${times(cross.rps / single.rps)} req/s`,
          target: 'p99 ≤ 3×',
          met: p99Ratio <= 3 && cross.failed === 0,
        },
        {
          scenario: '(the same 20 documents without `download`)',
          measured: loadFigures(list),
          reference: '—',
          ratio: `cross-subgraph: ${times(cross.p99 / list.p99)} its p99`,
          target: '—',
        },
      ],
      notes: [
        `cross-subgraph query: \`${DOWNLOADS_QUERY}\`; p95 ${ms(cross.p95)} (20 documents without download: ` +
          `${ms(list.p95)}); CPU per request: gateway ${cpuMs(cross.cpuMsPerRequest.gateway!)}, documents ` +
          `${cpuMs(cross.cpuMsPerRequest.documents!)}, storage ${cpuMs(cross.cpuMsPerRequest.storage!)}.`,
      ],
    };
  },
};

await runIfMain(crossSubgraph, import.meta.url);
