import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { createLogger } from '@docuvault/shared/logging/logger';
import type { Authenticator } from '../../../gateway/src/auth/authenticate.ts';
import { createJsonGraphQLRoute, parseJsonBody } from '../../../gateway/src/json-graphql-route.ts';

// Which requests the gateway answers without Express (gateway/src/json-graphql-route.ts),
// decided from the request line and headers alone, and how it reads their bodies. The
// answers themselves are compared with the Express route's in
// test/e2e/hardening/json-route.test.ts.

const MAX_BODY_BYTES = 1_000;

const route = createJsonGraphQLRoute({
  logger: createLogger('gateway', 'silent'),
  // accepts() never reaches Apollo or the authenticator.
  apollo: { assertStarted: () => undefined } as unknown as ApolloServer<BaseContext>,
  authenticator: {} as Authenticator,
  maxBodyBytes: MAX_BODY_BYTES,
  refusalOf: () => undefined,
  context: () => ({}),
});

const json = { 'content-type': 'application/json', 'content-length': '20' };
const accepts = (method: string, url: string, headers: Record<string, string>) =>
  route.accepts({ method, url, headers } as unknown as IncomingMessage);

describe('the requests the JSON route takes', () => {
  it('takes a POST of JSON with a length within the limit', () => {
    expect(accepts('POST', '/graphql', json)).toBe(true);
    expect(accepts('POST', '/graphql?op=x', json)).toBe(true);
    expect(accepts('POST', '/graphql', { ...json, 'content-type': 'application/json; charset=utf-8' })).toBe(
      true,
    );
    expect(accepts('POST', '/graphql', { ...json, 'content-type': 'Application/JSON;charset="UTF-8"' })).toBe(
      true,
    );
    expect(accepts('POST', '/graphql', { ...json, 'content-encoding': 'identity' })).toBe(true);
    expect(accepts('POST', '/graphql', { ...json, 'content-length': String(MAX_BODY_BYTES) })).toBe(true);
  });

  it.each([
    ['GET', 'GET', '/graphql', json],
    ['another path', 'POST', '/graphql/x', json],
    ['a path that only starts alike', 'POST', '/graphqlx', json],
    ['multipart', 'POST', '/graphql', { ...json, 'content-type': 'multipart/form-data; boundary=x' }],
    ['no content type', 'POST', '/graphql', { 'content-length': '20' }],
    ['another charset', 'POST', '/graphql', { ...json, 'content-type': 'application/json; charset=utf-16' }],
    ['another parameter', 'POST', '/graphql', { ...json, 'content-type': 'application/json; x=1' }],
    ['a compressed body', 'POST', '/graphql', { ...json, 'content-encoding': 'gzip' }],
    ['a chunked body', 'POST', '/graphql', { ...json, 'transfer-encoding': 'chunked' }],
    ['no length', 'POST', '/graphql', { 'content-type': 'application/json' }],
    ['an empty body', 'POST', '/graphql', { ...json, 'content-length': '0' }],
    ['a body over the limit', 'POST', '/graphql', { ...json, 'content-length': String(MAX_BODY_BYTES + 1) }],
    ['a length that is not a number', 'POST', '/graphql', { ...json, 'content-length': '1e2' }],
  ])('leaves %s to Express', (_name, method, url, headers) => {
    expect(accepts(method, url, headers)).toBe(false);
  });
});

describe('reading a body as express.json does', () => {
  const parse = (text: string) => parseJsonBody(Buffer.from(text, 'utf8'));

  it('parses objects and arrays, after whitespace or a byte-order mark', () => {
    expect(parse('{"query":"{ a }"}')).toEqual({ query: '{ a }' });
    expect(parse(' \n\t[{"query":"{ a }"}]')).toEqual([{ query: '{ a }' }]);
    expect(parse('\uFEFF{"a":1}')).toEqual({ a: 1 });
    expect(parse('\uFEFF')).toEqual({});
  });

  it('refuses anything else, as strict express.json does', () => {
    for (const text of ['"a"', '1', 'null', 'true', '   ', '{"a":', '{a:1}', 'x{}']) {
      expect(typeof parse(text)).toBe('symbol');
    }
  });

  it('reads invalid UTF-8 as replacement characters, not as an error', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect(parseJsonBody(bytes)).toEqual({ a: '\uFFFD\uFFFD' });
  });
});
