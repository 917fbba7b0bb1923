import { loadTypeDefs } from '@docuvault/shared/graphql/type-defs';

/** The storage subgraph's SDL: every .graphql file under src/, joined. */
export const typeDefs = loadTypeDefs(import.meta.dirname);
