import type { GraphQLResolverMap } from '@apollo/subgraph';

/**
 * Joins feature resolver maps type by type. A field defined twice is a bug
 * (one would silently win), so it throws at start-up.
 */
export function mergeResolvers<TContext>(...maps: object[]): GraphQLResolverMap<TContext> {
  const merged: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [typeName, fields] of Object.entries(map)) {
      const isFieldMap = typeof fields === 'object' && fields !== null && fields.constructor === Object;
      if (!isFieldMap) {
        // A scalar (GraphQLScalarType instance): taken whole.
        merged[typeName] = fields;
        continue;
      }
      const target = (merged[typeName] ??= {}) as Record<string, unknown>;
      for (const [field, resolver] of Object.entries(fields as Record<string, unknown>)) {
        if (field in target) throw new Error(`resolver ${typeName}.${field} is defined twice`);
        target[field] = resolver;
      }
    }
  }
  return merged as GraphQLResolverMap<TContext>;
}
