import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { API_SCHEMA_PATH, apiSchemaOf, composeSupergraph } from '@docuvault/gateway/compose';
import { SUPERGRAPH_PATH } from '@docuvault/gateway/gateway-server';
import { subgraphDefinitions } from '@docuvault/gateway/subgraphs';
import { buildSchema, parse, validate } from 'graphql';

// Run `npm run compose` when either of the first two fails.

describe('the committed schemas', () => {
  const supergraph = composeSupergraph(subgraphDefinitions);

  it('supergraph.graphql equals a fresh composition of the subgraph schemas', () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(supergraph);
  });

  it('schema.graphql equals the API schema of that composition', () => {
    expect(readFileSync(API_SCHEMA_PATH, 'utf8')).toBe(apiSchemaOf(supergraph));
  });

  describe('schema.graphql, as tooling reads it', () => {
    const schema = buildSchema(readFileSync(API_SCHEMA_PATH, 'utf8'));
    const errorsOf = (operation: string) => validate(schema, parse(operation)).map((e) => e.message);

    it('validates an operation the gateway serves', () => {
      expect(errorsOf('{ documents(first: 1) { edges { node { id title mimeType } } } }')).toEqual([]);
    });

    it('refuses Document.objectKey, which the supergraph has but the gateway does not serve', () => {
      expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toMatch(/objectKey: String! @inaccessible/);
      const errors = errorsOf('{ documents(first: 1) { edges { node { id objectKey } } } }');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^Cannot query field "objectKey" on type "Document"\./);
    });

    it('carries no federation directives or join types', () => {
      const sdl = readFileSync(API_SCHEMA_PATH, 'utf8');
      expect(sdl).not.toMatch(/@link|@join__|@inaccessible|join__|link__/);
    });
  });
});
