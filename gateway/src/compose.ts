import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { printSchema, type DocumentNode } from 'graphql';

export interface SubgraphDefinition {
  name: string;
  url: string;
  typeDefs: DocumentNode;
}

/**
 * The client-facing schema, committed beside the supergraph for tooling (codegen,
 * graphql-inspector). The gateway never reads it: it serves the same schema, derived
 * from supergraph.graphql at start.
 */
export const API_SCHEMA_PATH = join(import.meta.dirname, '..', 'schema.graphql');

/** Composes the supergraph SDL offline; throws with every composition error listed. */
export function composeSupergraph(subgraphs: SubgraphDefinition[]): string {
  const result = composeServices(subgraphs);
  if (result.errors) {
    throw new Error(
      `supergraph composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`,
    );
  }
  return result.supergraphSdl;
}

/**
 * The API schema of a supergraph, derived as @apollo/gateway derives the schema it
 * serves (Supergraph.build(…).apiSchema()): no federation directives or join types,
 * and no @inaccessible fields (Document.objectKey), which the gateway refuses.
 */
export function apiSchemaOf(supergraphSdl: string): string {
  return printSchema(Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema()) + '\n';
}
