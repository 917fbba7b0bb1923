import { typeDefs as documents } from '@docuvault/documents/type-defs';
import { typeDefs as ops } from '@docuvault/ops/type-defs';
import { typeDefs as storage } from '@docuvault/storage/type-defs';
import type { SubgraphDefinition } from './compose.ts';

/**
 * The subgraphs as composed into the committed supergraph. URLs here are the
 * defaults baked into the file; the gateway replaces them from its config.
 */
export const subgraphDefinitions: SubgraphDefinition[] = [
  { name: 'documents', url: 'http://127.0.0.1:4001/graphql', typeDefs: documents },
  { name: 'storage', url: 'http://127.0.0.1:4002/graphql', typeDefs: storage },
  { name: 'ops', url: 'http://127.0.0.1:4003/graphql', typeDefs: ops },
];
