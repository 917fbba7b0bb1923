import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_SCHEMA_PATH } from '@docuvault/gateway/compose';
import type { RunningServer } from '@docuvault/shared/http/listen';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { answerJson, postJson, startFakeSubgraph, type FakeSubgraph } from '../hardening/fake-subgraph.ts';
import { startGatewayAt } from '../../support/stacks/index.ts';

// gateway/schema.graphql is for tooling that cannot introspect: it must be exactly what
// a running gateway answers to introspection, or tools approve operations it refuses.

let subgraph: FakeSubgraph;
let gateway: RunningServer;

beforeAll(async () => {
  subgraph = await startFakeSubgraph(answerJson({ data: null }));
  const url = subgraph.url;
  gateway = await startGatewayAt({ documents: url, storage: url, ops: url }, { NODE_ENV: 'development' });
});

afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
});

describe('gateway/schema.graphql', () => {
  it('is the schema the gateway serves', async () => {
    const answer = await postJson(`${gateway.url}/graphql`, {
      query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
    });
    expect(answer.body.errors).toBeUndefined();
    const served = buildClientSchema(answer.body.data as unknown as IntrospectionQuery);
    const committed = buildSchema(readFileSync(API_SCHEMA_PATH, 'utf8'));
    expect(printSchema(served)).toBe(printSchema(committed));
  });
});
