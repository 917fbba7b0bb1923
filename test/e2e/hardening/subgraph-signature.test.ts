import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { nowSeconds } from '@docuvault/shared/http/subgraph-signature';
import { postMultipart } from '../../support/multipart.ts';
import { gatewayHeaders, signedFetch, signedGraphQL } from '../../support/signed-fetch.ts';
import { startGatewayAt, startStack, type Stack } from '../../support/stack.ts';
import { uploadOperation } from '../../integration/uploads/upload-stack.ts';

// Subgraphs answer only the gateway: a request without the gateway's signature (or with
// a wrong, stale or replayed-onto-another-body one) is refused with 401 and a GraphQL
// error; health probes stay open; everything through the gateway works.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('hardening-signature');
});

afterAll(async () => {
  await stack?.close();
});

const QUERY = JSON.stringify({ query: '{ __typename }' });
const json = { 'content-type': 'application/json' };

async function refusal(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('www-authenticate')).toMatch(/^DocuVault-HMAC-SHA256 error="/);
  const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }]);
  return response.headers.get('www-authenticate');
}

describe('subgraphs answer only the gateway', () => {
  it.each(['documents', 'storage', 'ops'] as const)(
    'refuses an unsigned request to the %s subgraph with 401',
    async (name) => {
      const url = stack.subgraphUrls[name];
      const challenge = await refusal(await fetch(url, { method: 'POST', headers: json, body: QUERY }));
      expect(challenge).toContain('missing');
    },
  );

  it.each(['documents', 'storage', 'ops'] as const)('keeps the health probes of %s open', async (name) => {
    const live = await fetch(new URL('/health/live', stack.subgraphUrls[name]));
    expect(live.status).toBe(200);
  });

  it('answers a request signed like the gateway signs', async () => {
    const response = await signedGraphQL(stack.subgraphUrls.documents, '{ __typename }');
    expect(response).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a signature made with another key', async () => {
    const response = await signedFetch(
      stack.subgraphUrls.documents,
      { headers: json, body: QUERY },
      { secretKey: 'another-secret-key-that-is-long-enough-99' },
    );
    expect(await refusal(response)).toContain('invalid');
  });

  it('refuses a signature older than 60 seconds', async () => {
    const response = await signedFetch(
      stack.subgraphUrls.ops,
      { headers: json, body: QUERY },
      { timestamp: nowSeconds() - 61 },
    );
    expect(await refusal(response)).toContain('stale');
  });

  it('refuses a signed request whose body was swapped', async () => {
    const headers = gatewayHeaders(stack.subgraphUrls.documents, 'POST', QUERY);
    const response = await fetch(stack.subgraphUrls.documents, {
      method: 'POST',
      headers: { ...json, ...headers },
      body: JSON.stringify({ query: '{ topics { id } }' }),
    });
    expect(await refusal(response)).toContain('invalid');
  });

  it('refuses a JSON request that claims to be signed without its body', async () => {
    // What the gateway once sent for uploads (AWS's name for a body left unsigned).
    const headers = gatewayHeaders(stack.subgraphUrls.documents, 'POST', {
      contentSha256: 'UNSIGNED-PAYLOAD',
    });
    const response = await fetch(stack.subgraphUrls.documents, {
      method: 'POST',
      headers: { ...json, ...headers },
      body: QUERY,
    });
    expect(await refusal(response)).toContain('malformed');
  });

  it('refuses a signed request sent to another path', async () => {
    const headers = gatewayHeaders(`${stack.subgraphUrls.documents}?elsewhere`, 'POST', QUERY);
    const response = await fetch(stack.subgraphUrls.documents, {
      method: 'POST',
      headers: { ...json, ...headers },
      body: QUERY,
    });
    expect(await refusal(response)).toContain('invalid');
  });

  it('refuses an unsigned multipart upload before reading it', async () => {
    const before = await stack.documents.rowCount();
    const { operations, map } = uploadOperation();
    const result = await postMultipart(stack.documents.graphqlUrl, {
      operations,
      map,
      files: [{ field: '0', filename: 'a.txt', content: 'not through the gateway' }],
    });
    expect(result.status).toBe(401);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await stack.documents.rowCount()).toBe(before);
  });
});

describe('through the gateway', () => {
  it('reaches all three subgraphs, uploads included', async () => {
    const { operations, map } = uploadOperation({ title: 'Signed upload' });
    const uploaded = await postMultipart(stack.gatewayUrl, {
      operations,
      map,
      files: [{ field: '0', filename: 'signed.txt', content: `signed ${Date.now()}` }],
    });
    expect(uploaded.body.errors).toBeUndefined();
    const id = (uploaded.body.data as { uploadDocument: { document: { id: string } } }).uploadDocument
      .document.id;
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        query: `query($id: ID!) {
          document(id: $id) { title download { url } }
          documents { totalCount }
          health { status }
        }`,
        variables: { id },
      }),
    });
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      document: { title: 'Signed upload', download: { url: expect.stringMatching(/^http/) } },
      documents: { totalCount: expect.any(Number) },
      health: { status: expect.stringMatching(/^(PASS|WARN|FAIL)$/) },
    });
  });

  it('answers SERVICE_UNAVAILABLE, not UNAUTHENTICATED, when the gateway signs with another key', async () => {
    const gateway = await startGatewayAt(stack.subgraphUrls, {
      SECRET_KEY: 'a-different-secret-key-that-is-long-enough',
    });
    try {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ query: '{ documents { totalCount } }' }),
      });
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    } finally {
      await gateway.close();
    }
  });
});
