// `npm run compose`: writes gateway/supergraph.graphql from the subgraph schemas, and
// gateway/schema.graphql, the API schema clients and their tooling see.
// Both are committed; test/unit/supergraph.test.ts fails when either is stale.
import { writeFileSync } from 'node:fs';
import { apiSchemaOf, API_SCHEMA_PATH, composeSupergraph } from '../src/compose.ts';
import { SUPERGRAPH_PATH } from '../src/gateway-server.ts';
import { subgraphDefinitions } from '../src/subgraphs.ts';

const supergraph = composeSupergraph(subgraphDefinitions);
writeFileSync(SUPERGRAPH_PATH, supergraph);
console.log(`wrote ${SUPERGRAPH_PATH}`);
writeFileSync(API_SCHEMA_PATH, apiSchemaOf(supergraph));
console.log(`wrote ${API_SCHEMA_PATH}`);
