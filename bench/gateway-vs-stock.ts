import { compareLoads, ratioOf, ROUNDS, type Side } from './support/compare.ts';
import { CONNECTIONS, documentBodies, downloadsBodies } from './support/queries.ts';
import {
  cpuMs,
  noFailures,
  perRound,
  ratioFigures,
  sideFigures,
  times,
  type ScenarioResult,
} from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';

// Our gateway against Apollo's stock gateway (bench/support/stock-gateway.ts) on the
// same subgraph processes. The stock gateway cannot sign, so both gateways call a pair
// of documents and storage processes that accept unsigned requests; ours still signs
// (and authenticates, limits, logs) as always. Single- and cross-subgraph queries, each
// in interleaved rounds (ours, stock, ours, stock, …; support/compare.ts), the ratio
// taken per round.
//
//   node bench/gateway-vs-stock.ts

/** Issue 17, item 9: every protection on, at least the stock gateway's req/s. */
const TARGET = 1.0;

const probe = (url: string) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ __typename }"}',
    signal: AbortSignal.timeout(2_000),
  }).then(
    (response) => response.ok,
    () => false,
  );

export const gatewayVsStock: Scenario = {
  name: 'our gateway vs stock gateway',
  async run(context: Context): Promise<ScenarioResult> {
    const system = await context.seeded({ realistic: false });
    context.say('starting unsigned documents and storage, a second gateway of ours and the stock gateway…');
    const [documents, storage] = await Promise.all([
      system.startSubgraph('documents', { label: 'documents-unsigned', signed: false }),
      system.startSubgraph('storage', { label: 'storage-unsigned', signed: false }),
    ]);
    const targets = {
      documents: `${documents.url}/graphql`,
      storage: `${storage.url}/graphql`,
      // Neither query reaches ops; ours signs, so its readiness check passes on the signed one.
      ops: `${system.ops.url}/graphql`,
    };
    const [ours, stock] = await Promise.all([
      system.startGateway('gateway-on-unsigned', targets),
      system.startExtra({
        name: 'stock-gateway',
        entry: 'bench/support/stock-gateway.ts',
        portVariable: 'STOCK_GATEWAY_PORT',
        env: {
          STOCK_DOCUMENTS_URL: targets.documents,
          STOCK_STORAGE_URL: targets.storage,
          STOCK_OPS_URL: targets.ops,
        },
        ready: probe,
      }),
    ]);
    try {
      const compare = async (label: string, bodies: string[]) => {
        context.say(`${label} through our gateway and the stock gateway, ${ROUNDS} interleaved rounds…`);
        const [a, b] = await compareLoads([
          { url: `${ours.url}/graphql`, bodies, connections: CONNECTIONS, pids: { gateway: ours.pid } },
          { url: `${stock.url}/graphql`, bodies, connections: CONNECTIONS, pids: { gateway: stock.pid } },
        ]);
        return [a!, b!] as const;
      };
      const row = (label: string, [a, b]: readonly [Side, Side]) => {
        const ratio = ratioOf(a, b);
        return {
          scenario: `${label} through our gateway, ${CONNECTIONS} connections`,
          measured: `ours: ${sideFigures(a, false)}`,
          reference: `stock ApolloGateway: ${sideFigures(b, false)}`,
          ratio: `${ratioFigures(ratio)} req/s, ${times(a.median.p99 / b.median.p99)} p99`,
          target: `≥ ${TARGET.toFixed(1)}× req/s (median)`,
          met: ratio.median >= TARGET && noFailures(a, b),
        };
      };
      const single = await compare('document(id)', await documentBodies(system));
      const cross = await compare('20 documents with download { url }', downloadsBodies());
      const cpu = ([a, b]: readonly [Side, Side]) =>
        `ours ${cpuMs(a.median.cpuMsPerRequest.gateway!)}, stock ${cpuMs(b.median.cpuMsPerRequest.gateway!)}`;
      return {
        rows: [row('`document(id)`', single), row('cross-subgraph query', cross)],
        notes: [
          `our gateway vs stock: ${ROUNDS} interleaved rounds (ours, stock, ours, stock, …), the ratio taken per ` +
            'round, its median and range shown; both gateways call the same documents and storage processes, ' +
            'which accept unsigned requests (the stock `ApolloServer` + `ApolloGateway({ supergraphSdl })` ' +
            'cannot sign); ours still authenticates, signs, checks limits and logs each request, as configured ' +
            `for production. Ratio per round: \`document(id)\` ${perRound(ratioOf(...single))}; cross-subgraph ` +
            `${perRound(ratioOf(...cross))}. Gateway CPU per request (median round): \`document(id)\` ` +
            `${cpu(single)}; cross-subgraph ${cpu(cross)}.`,
        ],
      };
    } finally {
      await Promise.all([ours.stop(), stock.stop(), documents.stop(), storage.stop()]);
    }
  },
};

await runIfMain(gatewayVsStock, import.meta.url);
