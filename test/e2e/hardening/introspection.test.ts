import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { answerJson, codesOf, postJson, startFakeSubgraph, type FakeSubgraph } from './fake-subgraph.ts';
import { startGatewayAt } from '../../support/stacks/index.ts';

// Introspection: on in development, off in production, GRAPHQL_INTROSPECTION overrides
// either. Off means __schema and __type are refused and errors suggest no field names,
// while ordinary operations work as before.

let subgraph: FakeSubgraph;
const gateways: RunningServer[] = [];

beforeAll(async () => {
  subgraph = await startFakeSubgraph(answerJson({ data: { topics: [] } }));
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await subgraph?.close();
});

async function gatewayWith(env: Record<string, string>): Promise<string> {
  const url = subgraph.url;
  const running = await startGatewayAt({ documents: url, storage: url, ops: url }, env);
  gateways.push(running);
  return `${running.url}/graphql`;
}

const introspect = (url: string) => postJson(url, { query: getIntrospectionQuery() });

async function expectRefused(url: string) {
  const standard = await introspect(url);
  expect(standard.body.data ?? undefined).toBeUndefined();
  expect(codesOf(standard.body)).toContain('GRAPHQL_VALIDATION_FAILED');
  const type = await postJson(url, { query: '{ __type(name: "Document") { name fields { name } } }' });
  expect(codesOf(type.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  // Ordinary operations (and __typename) still work.
  const normal = await postJson(url, { query: '{ __typename topics { id } }' });
  expect(normal.body).toEqual({ data: { __typename: 'Query', topics: [] } });
  // No schema details in errors either.
  const typo = await postJson(url, { query: '{ topic { id } }' });
  expect(codesOf(typo.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  expect(typo.text).not.toMatch(/Did you mean/);
}

describe('introspection', () => {
  it('returns the full schema in development, with suggestions in errors', async () => {
    const url = await gatewayWith({ NODE_ENV: 'development' });
    const result = await introspect(url);
    expect(result.body.errors).toBeUndefined();
    const schema = buildClientSchema(result.body.data as unknown as IntrospectionQuery);
    expect(Object.keys(schema.getType('Document')?.toConfig() ?? {})).toContain('fields');
    expect(schema.getQueryType()?.getFields()).toHaveProperty('search');
    expect(schema.getMutationType()?.getFields()).toHaveProperty('uploadDocument');
    const typo = await postJson(url, { query: '{ topic { id } }' });
    expect(typo.text).toMatch(/Did you mean/);
  });

  it('is refused when GRAPHQL_INTROSPECTION=false', async () => {
    await expectRefused(await gatewayWith({ NODE_ENV: 'development', GRAPHQL_INTROSPECTION: 'false' }));
  });

  it('is refused in production by default', async () => {
    await expectRefused(await gatewayWith({ NODE_ENV: 'production' }));
  });

  it('is allowed in production when GRAPHQL_INTROSPECTION=true', async () => {
    const result = await introspect(
      await gatewayWith({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }),
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toHaveProperty('__schema.queryType.name', 'Query');
  });
});
