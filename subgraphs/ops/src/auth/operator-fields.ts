import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { GraphQLFieldResolver } from 'graphql';
import type { OpsContext } from '../context.ts';
import { requireOperator } from './operator.ts';

type ResolverMap = GraphQLResolverMap<OpsContext>;

/** The one ops field anyone may read (it hides its errors from non-operators itself). */
export const PUBLIC_FIELDS: ReadonlySet<string> = new Set(['Query.health']);

export const credentialsOf = (context: OpsContext) => ({
  configured: context.config.OPS_TOKEN,
  presented: context.opsToken,
  principal: context.principal,
});

/**
 * Every root field (Query and Mutation) of `resolvers` checks for an operator before it
 * runs, except PUBLIC_FIELDS: a field added later is closed until someone opens it on
 * purpose. The check comes before the resolver looks at any argument.
 */
export function operatorFieldsOnly(resolvers: ResolverMap): ResolverMap {
  const guarded: ResolverMap = { ...resolvers };
  for (const type of ['Query', 'Mutation']) {
    const fields = resolvers[type] as Record<string, unknown> | undefined;
    if (!fields) continue;
    guarded[type] = Object.fromEntries<GraphQLFieldResolver<unknown, OpsContext>>(
      Object.entries(fields).map(([name, resolve]) => {
        const inner = resolve as GraphQLFieldResolver<unknown, OpsContext>;
        if (PUBLIC_FIELDS.has(`${type}.${name}`)) return [name, inner];
        const outer: GraphQLFieldResolver<unknown, OpsContext> = (parent, args, context, info) => {
          requireOperator(credentialsOf(context));
          return inner(parent, args, context, info);
        };
        return [name, outer];
      }),
    );
  }
  return guarded;
}
