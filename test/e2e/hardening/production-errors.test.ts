import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { freePort } from '@docuvault/local-stack/index';
import { currentRequestId } from '@docuvault/shared/logging/request-context';
import { pino } from 'pino';
import { answerJson, postJson, startFakeSubgraph, type FakeSubgraph } from './fake-subgraph.ts';
import { startGatewayAt } from '../../support/stacks/index.ts';

// In production nothing about our insides reaches a client: no stack traces, no SQL,
// no hostnames or subgraph names; every error has a code; the whole error is logged
// with the request id, so an operator can find it from what the client reports.

const SQL_ERROR = {
  message: 'insert into "documents" ("id") values ($1) - could not connect to db-7.internal:5432',
  path: ['topics'],
  extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: boom', '    at /app/src/x.ts:1:1'] },
};
const INPUT_ERROR = {
  message: 'query must not be blank',
  path: ['health'],
  extensions: { code: 'BAD_USER_INPUT', argument: 'query' },
};

const fakes: FakeSubgraph[] = [];
const logLines: Record<string, unknown>[] = [];
let gateway: RunningServer;
let url: string;

beforeAll(async () => {
  const documents = await startFakeSubgraph(answerJson({ data: null, errors: [SQL_ERROR] }));
  // ops answers `health` with a client error, and anything else as a broken proxy would.
  const ops = await startFakeSubgraph((req, res, body) => {
    if (body.includes('health')) return answerJson({ data: null, errors: [INPUT_ERROR] })(req, res, body);
    res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway at proxy-3.internal</html>');
  });
  fakes.push(documents, ops);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  const logger = pino({ level: 'info', mixin: () => ({ requestId: currentRequestId() }) }, sink);
  gateway = await startGatewayAt(
    { documents: documents.url, storage: ops.url, ops: ops.url },
    { NODE_ENV: 'production' },
    logger,
  );
  url = `${gateway.url}/graphql`;
});

afterAll(async () => {
  await gateway?.close();
  for (const fake of fakes) await fake.close();
});

const INTERNAL = /stacktrace|serviceName|internal:|insert into|documents"|ECONNREFUSED|127\.0\.0\.1|\bat \//;

describe('errors in production', () => {
  it('hides an internal subgraph error and logs it whole with the request id', async () => {
    const result = await postJson(url, { query: '{ topics { id } }' }, { 'x-request-id': 'prod-err-1' });
    expect(result.body.errors).toEqual([
      { message: 'Internal server error', path: ['topics'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
    expect(result.text).not.toMatch(INTERNAL);
    const logged = logLines.find((line) => line.requestId === 'prod-err-1' && line.level === 50);
    expect(JSON.stringify(logged)).toContain('db-7.internal');
  });

  it('passes a client error on with its code and details, without the subgraph’s name', async () => {
    const result = await postJson(url, { query: '{ health { status } }' });
    expect(result.body.errors).toEqual([
      {
        message: 'query must not be blank',
        path: ['health'],
        extensions: { code: 'BAD_USER_INPUT', argument: 'query' },
      },
    ]);
  });

  it('hides what a broken subgraph answered (an HTML page, its URL)', async () => {
    const result = await postJson(url, { query: '{ migrationStatus { upToDate } }' });
    expect(result.body.errors).toEqual([
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
    expect(result.text).not.toMatch(INTERNAL);
    expect(result.text).not.toContain('proxy-3');
  });

  it('answers an unreachable subgraph with SERVICE_UNAVAILABLE and no address', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
    const down = await startGatewayAt(
      { documents: nowhere, storage: nowhere, ops: nowhere },
      { NODE_ENV: 'production' },
    );
    try {
      const result = await postJson(`${down.url}/graphql`, { query: '{ topics { id } }' });
      expect(result.body.errors).toEqual([
        {
          message: expect.any(String),
          extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: expect.any(Number) },
        },
      ]);
      expect(result.text).not.toMatch(INTERNAL);
    } finally {
      await down.close();
    }
  });

  it.each([
    ['a parse error', { query: '{ topics { id }' }],
    ['a validation error', { query: '{ topicz { id } }' }],
    ['malformed JSON', '{"query":'],
    ['a body over the limit', { query: '{ topics { id } }', variables: { pad: 'x'.repeat(1_100_000) } }],
    ['an operation too deep', { query: `{ folders { ${'parent { '.repeat(20)}id${' }'.repeat(20)} } }` }],
  ])('gives %s a code and no stack trace', async (_case, body) => {
    const result = await postJson(url, body);
    expect(result.contentType).toMatch(/^application\/json/);
    expect(result.body.errors?.length).toBeGreaterThan(0);
    for (const error of result.body.errors ?? []) expect(typeof error.extensions?.code).toBe('string');
    expect(result.text).not.toMatch(INTERNAL);
    expect(result.text).not.toMatch(/Did you mean/);
  });
});
