// Test stacks: the one place a test gets running subgraphs and gateways. Import from here
// (`test/support/stacks/index.ts`), never from the files beside it.
//
// Every stack runs in the test's own process on ephemeral ports, against the harness's
// PostgreSQL, Redis and S3 (TEST_*, from the service tiers' globalSetup), with a database,
// bucket and Redis prefix of its own, and removes all of them in `close()`. Stacks build on
// each other; take the smallest one that covers the test:
//
//   createDocumentsTestDeps(label)   DocumentsDeps only (no server): database, bucket, queue,
//                                    a superuser pool and an SQL recorder
//   startDocumentsSubgraph(label)    + the documents subgraph, unsigned, and a graphql() client
//   startUploadStack(label, config)  + the documents subgraph with config overrides, signed on
//                                    request, and the counts upload tests compare
//   listenDocumentsSubgraph(deps)    the documents subgraph over deps you built yourself
//   startTicketStack(label, env)     the storage subgraph (direct uploads) over documents deps
//   startStorageSubgraph(deps, …)    the storage subgraph over given documents deps
//   startGatewayAt(urls, env)        a gateway in front of any subgraph URLs (real or fake)
//   startGatewayStack(label, limits) gateway + documents (upload stack); others unreachable
//   startGatewayStorageStack(label)  gateway + documents + storage, storage calls recorded
//   startStack(label, options)       the whole system: gateway + documents + storage + ops,
//                                    every subgraph requiring the gateway's signature
//   startStackWorker(stack, env)     a real worker beside a whole stack (its database, queue, bucket)
//
// The classification stack (documents subgraph + workers) stays with its suites in
// test/integration/classification/support.ts and builds on startDocumentsSubgraph.

export {
  createDocumentsTestDeps,
  startDocumentsSubgraph,
  type DocumentsTestDeps,
  type DocumentsTestServer,
  type GraphQLResponse,
} from './documents.ts';
export { nowhereUrl, startGatewayAt, type SubgraphUrls } from './gateway.ts';
export { startStorageSubgraph, startTicketStack, type StorageSubgraph, type TicketStack } from './storage.ts';
export {
  startGatewayStorageStack,
  type GatewayStorageStack,
  type StorageRequest,
} from './storage-gateway.ts';
export { startStack, type Stack, type StackOptions } from './system.ts';
export { startStackWorker } from './stack-worker.ts';
export { startGatewayStack, startUploadGateway, type GatewayStack } from './upload-gateway.ts';
export { listenDocumentsSubgraph, startUploadStack, type UploadStack } from './uploads.ts';
