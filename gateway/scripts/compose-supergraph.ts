// `npm run compose`: writes gateway/supergraph.graphql from the subgraph schemas.
// The file is committed; test/unit/supergraph.test.ts fails when it is stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSupergraph } from '../src/compose.ts';
import { subgraphDefinitions } from '../src/subgraphs.ts';

const target = join(import.meta.dirname, '..', 'supergraph.graphql');
writeFileSync(target, composeSupergraph(subgraphDefinitions));
console.log(`wrote ${target}`);
