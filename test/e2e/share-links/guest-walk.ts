import { randomUUID } from 'node:crypto';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { typeDefs as documentsTypeDefs } from '@docuvault/documents/type-defs';
import { typeDefs as storageTypeDefs } from '@docuvault/storage/type-defs';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';

// Every root field of the documents and storage subgraphs as an operation a caller without
// a token could send, with valid values for its required arguments: the walk of "a guest may
// open links and nothing that needs a user". Read from the schemas, so a field added later is
// walked without touching this file. Fields taking an Upload are left out (multipart only).

export interface RootOperation {
  coordinate: string;
  query: string;
  variables: Record<string, unknown>;
}

function valueOf(type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.name;
  if (isInputObjectType(named)) {
    return Object.fromEntries(
      Object.values(named.getFields())
        .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
        .map((field) => [field.name, valueOf(field.type)]),
    );
  }
  switch (named.name) {
    case 'ID':
      return randomUUID();
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    default:
      return 'x';
  }
}

const takesUpload = (field: GraphQLField<unknown, unknown>) =>
  field.args.some((arg) => getNamedType(arg.type).name === 'Upload');

export function rootOperations(): RootOperation[] {
  return [documentsTypeDefs, storageTypeDefs].flatMap((typeDefs) => {
    const schema = buildSubgraphSchema([{ typeDefs }]);
    return (['query', 'mutation'] as const).flatMap((keyword) => {
      const root = keyword === 'query' ? schema.getQueryType() : schema.getMutationType();
      return Object.values(root?.getFields() ?? {})
        .filter((field) => !field.name.startsWith('_') && !takesUpload(field))
        .map((field) => {
          const required = field.args.filter(
            (arg) => isNonNullType(arg.type) && arg.defaultValue === undefined,
          );
          const declared = required.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
          const passed = required.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
          const named = getNamedType(getNullableType(field.type));
          return {
            coordinate: `${root!.name}.${field.name}`,
            query: `${keyword}${declared ? ` (${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${
              isObjectType(named) ? ' { __typename }' : ''
            } }`,
            variables: Object.fromEntries(required.map((arg) => [arg.name, valueOf(arg.type)])),
          };
        });
    });
  });
}
