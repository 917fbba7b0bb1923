import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function parseDate(value: unknown): Date {
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
  throw new GraphQLError('DateTime must be an ISO-8601 date-time string', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new Error(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) parseDate(undefined);
    return parseDate((ast as { value: string }).value);
  },
});
