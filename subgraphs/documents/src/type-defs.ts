import { loadTypeDefs } from '@docuvault/shared/graphql/type-defs';

/** The documents subgraph's SDL: every .graphql file under src/, joined. */
export const typeDefs = loadTypeDefs(import.meta.dirname);
