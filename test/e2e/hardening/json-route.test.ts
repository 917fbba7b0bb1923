import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deriveTokenKey, signAccessToken } from '@docuvault/shared/auth/access-token';
import { CLIENT_IP_HEADER, PRINCIPAL_HEADER } from '@docuvault/shared/auth/principal';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { answerJson, startFakeSubgraph, type FakeSubgraph } from './fake-subgraph.ts';
import { TEST_SECRET_KEY } from '../../support/signed-fetch.ts';
import { startGatewayAt } from '../../support/stacks/index.ts';

// The gateway answers POST /graphql with a JSON body of a stated length without Express
// (gateway/src/json-graphql-route.ts); the same request sent chunked, with no length,
// takes the Express route. Whatever the body and headers, both must answer alike and send
// the subgraph the same request: the same checks, in the same order, with the same codes.

let subgraph: FakeSubgraph;
let gateway: RunningServer;
let port: number;

beforeAll(async () => {
  subgraph = await startFakeSubgraph(answerJson({ data: { topics: [] } }));
  const url = subgraph.url;
  gateway = await startGatewayAt(
    { documents: url, storage: url, ops: url },
    { TRUST_PROXY: 'loopback', GRAPHQL_MAX_BATCH_SIZE: '2', ALLOW_ANONYMOUS: 'false' },
  );
  port = Number(new URL(gateway.url).port);
});

afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** Sends `body` with a content-length (the JSON route) or chunked (the Express route). */
function post(body: string, headers: Record<string, string>, chunked: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...headers,
          ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: {
              'content-type': res.headers['content-type'],
              'www-authenticate': res.headers['www-authenticate'],
              'x-request-id': res.headers['x-request-id']?.toString(),
            },
            body: text,
          }),
        );
      },
    );
    req.on('error', reject);
    // Chunked: the body in two writes, so it really arrives in pieces.
    if (chunked && body.length > 1) {
      req.write(body.slice(0, 1));
      req.end(body.slice(1));
    } else req.end(body);
  });
}

/** Both routes' answers, and what each made the subgraph see (its principal and client address). */
async function bothRoutes(body: string, headers: Record<string, string> = {}) {
  const answers: Answer[] = [];
  const reached: (Record<string, unknown> | undefined)[] = [];
  for (const chunked of [false, true]) {
    const before = subgraph.seen.length;
    answers.push(await post(body, { 'x-request-id': 'parity-check', ...headers }, chunked));
    const seen = subgraph.seen.slice(before);
    reached.push(
      seen.length === 0
        ? undefined
        : {
            calls: seen.length,
            principal: seen[0]!.headers[PRINCIPAL_HEADER],
            clientIp: seen[0]!.headers[CLIENT_IP_HEADER],
            body: seen[0]!.body,
          },
    );
  }
  return { route: answers[0]!, express: answers[1]!, reached };
}

const codeOf = (answer: Answer): unknown =>
  (JSON.parse(answer.body) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions
    ?.code;

describe('the JSON route and the Express route answer alike', () => {
  let bearer: Record<string, string>;
  beforeAll(async () => {
    const { token } = await signAccessToken(deriveTokenKey(TEST_SECRET_KEY), {
      id: '00000000-0000-4000-8000-000000000001',
      role: 'USER',
    });
    bearer = { authorization: `Bearer ${token}` };
  });

  const cases: [string, string, Record<string, string>?][] = [
    ['a query that reaches the subgraph', '{"query":"{ topics { id } }"}', { authorization: 'token' }],
    ['a query with a byte-order mark', '\uFEFF{"query":"{ topics { id } }"}', { authorization: 'token' }],
    ['a body that is not JSON', '{"query":', {}],
    ['JSON that is not an object', '"{ topics { id } }"', {}],
    ['a body of whitespace', '  \n ', {}],
    ['no token, anonymous access off', '{"query":"{ topics { id } }"}', {}],
    ['a token that is not one', '{"query":"{ topics { id } }"}', { authorization: 'Bearer not.a.token' }],
    [
      'an authorization that is not a bearer',
      '{"query":"{ topics { id } }"}',
      { authorization: 'Basic eA==' },
    ],
    [
      'a batch over the limit',
      '[{"query":"{a}"},{"query":"{b}"},{"query":"{c}"}]',
      { authorization: 'token' },
    ],
    [
      'a query over the token limit',
      JSON.stringify({ query: `{ ${'a '.repeat(5_000)}}` }),
      { authorization: 'token' },
    ],
    [
      'a NUL in a variable',
      '{"query":"query($t:String){ topics { id } }","variables":{"t":"a\\u0000b"}}',
      { authorization: 'token' },
    ],
    ['a syntax error', '{"query":"{ topics { id }"}', { authorization: 'token' }],
    ['no query at all', '{"variables":{}}', { authorization: 'token' }],
    [
      'a client behind the trusted proxy',
      '{"query":"{ topics { id } }"}',
      { authorization: 'token', 'x-forwarded-for': '203.0.113.7' },
    ],
  ];

  it.each(cases)('%s', async (_name, body, headers = {}) => {
    const withToken = headers.authorization === 'token' ? { ...headers, ...bearer } : headers;
    const { route, express, reached } = await bothRoutes(body, withToken);
    expect(route).toEqual(express);
    expect(reached[0]).toEqual(reached[1]);
    expect(route.headers['x-request-id']).toBe('parity-check');
    if (route.status >= 400) expect(typeof codeOf(route)).toBe('string');
  });

  it('reads the client address through the trusted proxy and the principal from the token', async () => {
    const { route, reached } = await bothRoutes('{"query":"{ topics { id } }"}', {
      ...bearer,
      'x-forwarded-for': '203.0.113.7',
    });
    expect(route.status).toBe(200);
    expect(reached[0]).toMatchObject({ calls: 1, clientIp: '203.0.113.7' });
    expect(String(reached[0]!.principal)).toContain('00000000-0000-4000-8000-000000000001');
  });

  it('refuses a bad token with 401 and its challenge on both routes', async () => {
    const { route } = await bothRoutes('{"query":"{ topics { id } }"}', { authorization: 'Bearer x.y.z' });
    expect(route.status).toBe(401);
    expect(route.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    expect(codeOf(route)).toBe('UNAUTHENTICATED');
  });
});
