import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { answerJson, codesOf, postJson, startFakeSubgraph, type FakeSubgraph } from './fake-subgraph.ts';
import { startGatewayAt } from '../../support/stacks/index.ts';

// The gateway's operation limits, with their defaults, against a stand-in subgraph that
// counts what reaches it: a refused operation must never be sent on.

let subgraph: FakeSubgraph;
const gateways: RunningServer[] = [];

beforeAll(async () => {
  subgraph = await startFakeSubgraph(answerJson({ data: { folders: [], topics: [] } }));
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await subgraph?.close();
});

async function gateway(env: Record<string, string> = {}): Promise<string> {
  const url = subgraph.url;
  const running = await startGatewayAt({ documents: url, storage: url, ops: url }, env);
  gateways.push(running);
  return `${running.url}/graphql`;
}

/** Folders nested through `parent`: depth 1 (folders) + `parents` + 1 (id). */
const deep = (parents: number) => `{ folders { ${'parent { '.repeat(parents)}id${' }'.repeat(parents)} } }`;
const aliased = (count: number) =>
  `{ topics { ${Array.from({ length: count }, (_, i) => `a${i}: id`).join(' ')} } }`;
const directed = (count: number) => `{ topics { ${'id @include(if: true) '.repeat(count)}} }`;
const rootFields = (count: number) => `{ ${'topics { id } '.repeat(count)}}`;

async function refused(url: string, query: string, limit: string) {
  const before = subgraph.seen.length;
  const result = await postJson(url, { query });
  expect(result.status).toBe(400);
  expect(codesOf(result.body)).toContain('QUERY_TOO_COMPLEX');
  const error = result.body.errors?.find((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX');
  expect(error?.extensions?.limit).toBe(limit);
  expect(subgraph.seen.length).toBe(before);
}

async function accepted(url: string, query: string) {
  const before = subgraph.seen.length;
  const result = await postJson(url, { query });
  expect(codesOf(result.body)).not.toContain('QUERY_TOO_COMPLEX');
  expect(subgraph.seen.length).toBeGreaterThan(before);
}

describe('operation limits (defaults)', () => {
  let url: string;
  beforeAll(async () => {
    url = await gateway();
  });

  it('accepts depth 15 and refuses depth 16', async () => {
    await accepted(url, deep(13));
    await refused(url, deep(14), 'depth');
  });

  it('counts depth through fragments', async () => {
    const query = `{ folders { ...P } } fragment P on Folder { ${'parent { '.repeat(14)}id${' }'.repeat(14)} }`;
    await refused(url, query, 'depth');
  });

  it('accepts 30 aliases and refuses 31', async () => {
    await accepted(url, aliased(30));
    await refused(url, aliased(31), 'aliases');
  });

  it('counts aliases of every spread of a fragment (a fragment bomb)', async () => {
    const levels = Array.from(
      { length: 5 },
      (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
    ).join(' ');
    const query = `{ ...F0 } ${levels} fragment F5 on Query { a: topics { id } }`;
    await refused(url, query, 'aliases');
  });

  it('accepts 50 directives and refuses 51', async () => {
    await accepted(url, directed(50));
    await refused(url, directed(51), 'directives');
  });

  it('counts directives of every spread of a fragment, and on the operation itself', async () => {
    const spreads = (count: number) =>
      `{ topics { ${'...D '.repeat(count)}} } fragment D on Topic { ${'id @skip(if: false) '.repeat(5)}}`;
    await accepted(url, spreads(10)); // 10 spreads × 5 directives = 50
    await refused(url, spreads(11), 'directives');
    const onOperation = `query Q @a @b { topics { ${'id @include(if: true) '.repeat(49)}} }`;
    await refused(url, onOperation, 'directives');
  });

  it('accepts 20 root fields and refuses 21', async () => {
    await accepted(url, rootFields(20));
    await refused(url, rootFields(21), 'rootFields');
  });

  it('refuses an operation that graphql-js gives up validating (overlapping fields)', async () => {
    await refused(url, `{ ${`topics { ${'id name '.repeat(100)}} `.repeat(20)}}`, 'validation');
  });

  it('refuses more than 15000 tokens', async () => {
    await refused(url, `{ topics { ${'id '.repeat(15_000)}} }`, 'tokens');
  });

  it('refuses brackets nested deeper than the parser can take, without a stack overflow', async () => {
    await refused(url, `{ ${'a { '.repeat(2_000)}b${' }'.repeat(2_000)} }`, 'nesting');
    await refused(
      url,
      `{ documents(filter: { status: ${'['.repeat(600)}${']'.repeat(600)} }) { totalCount } }`,
      'nesting',
    );
  });

  it('refuses a JSON body over 1 MB with BAD_REQUEST as JSON, not an HTML page', async () => {
    const result = await postJson(url, {
      query: '{ topics { id } }',
      variables: { pad: 'x'.repeat(1024 * 1024) },
    });
    expect(result.status).toBe(413);
    expect(result.contentType).toMatch(/^application\/json/);
    expect(result.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_REQUEST', maxBytes: 1024 * 1024 });
  });

  it('refuses malformed JSON with BAD_REQUEST as JSON', async () => {
    const result = await postJson(url, '{"query": "{ topics { id } }"');
    expect(result.status).toBe(400);
    expect(result.contentType).toMatch(/^application\/json/);
    expect(codesOf(result.body)).toEqual(['BAD_REQUEST']);
  });

  it('refuses batched requests', async () => {
    const result = await postJson(url, [{ query: '{ topics { id } }' }, { query: '{ topics { id } }' }]);
    expect(result.status).toBe(400);
    expect(codesOf(result.body)).toEqual(['BAD_REQUEST']);
  });
});

describe('operation limits (configured)', () => {
  it('takes each limit from its variable', async () => {
    const url = await gateway({
      GRAPHQL_MAX_DEPTH: '3',
      GRAPHQL_MAX_ALIASES: '1',
      GRAPHQL_MAX_ROOT_FIELDS: '2',
      GRAPHQL_MAX_TOKENS: '100',
    });
    await accepted(url, deep(1));
    await refused(url, deep(2), 'depth');
    await refused(url, aliased(2), 'aliases');
    await refused(url, rootFields(3), 'rootFields');
    await refused(url, `{ topics { ${'id '.repeat(100)}} }`, 'tokens');
  });

  it('takes the directive limit from GRAPHQL_MAX_DIRECTIVES', async () => {
    const url = await gateway({ GRAPHQL_MAX_DIRECTIVES: '2' });
    await accepted(url, directed(2));
    await refused(url, directed(3), 'directives');
  });

  it('takes the body limit from GRAPHQL_MAX_BODY_BYTES', async () => {
    const url = await gateway({ GRAPHQL_MAX_BODY_BYTES: '2048' });
    const result = await postJson(url, { query: '{ topics { id } }', variables: { pad: 'x'.repeat(3_000) } });
    expect(result.status).toBe(413);
    expect(result.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_REQUEST', maxBytes: 2048 });
  });

  it('accepts batches up to GRAPHQL_MAX_BATCH_SIZE and refuses larger ones', async () => {
    const url = await gateway({ GRAPHQL_MAX_BATCH_SIZE: '2' });
    const op = { query: '{ topics { id } }' };
    const two = await postJson(url, [op, op]);
    expect(Array.isArray(two.body)).toBe(true);
    const before = subgraph.seen.length;
    const three = await postJson(url, [op, op, op]);
    expect(three.status).toBe(400);
    expect(codesOf(three.body)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(subgraph.seen.length).toBe(before);
  });
});
