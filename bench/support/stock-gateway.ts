import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

// The reference gateway: Apollo's stock gateway with its defaults and nothing else, on
// our committed supergraph. Only the subgraph URLs in the SDL are replaced (the composed
// file names the default ports). It cannot sign, so its subgraphs must accept unsigned
// requests (SUBGRAPH_REQUIRE_SIGNATURE=false; without a principal header they then work
// in the anonymous vault).
//
//   STOCK_GATEWAY_PORT=4100 STOCK_DOCUMENTS_URL=… STOCK_STORAGE_URL=… STOCK_OPS_URL=… \
//     node bench/support/stock-gateway.ts

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const urls: Record<string, string> = {
  documents: env('STOCK_DOCUMENTS_URL'),
  storage: env('STOCK_STORAGE_URL'),
  ops: env('STOCK_OPS_URL'),
};
const supergraphSdl = readFileSync(
  path.join(import.meta.dirname, '..', '..', 'gateway', 'supergraph.graphql'),
  'utf8',
).replace(/@join__graph\(name: "(\w+)", url: "[^"]*"\)/g, (whole, name: string) =>
  urls[name] ? `@join__graph(name: "${name}", url: "${urls[name]}")` : whole,
);

const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(env('STOCK_GATEWAY_PORT')) },
});
process.stdout.write(`stock gateway ready at ${url}\n`);
const stop = () => void server.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
