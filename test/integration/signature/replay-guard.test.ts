import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { redisReplayGuard } from '@docuvault/shared/http/signature-replay';
import { gatewaySignatureGuard, verifyMultipartFields } from '@docuvault/shared/http/subgraph-signature';
import { freePort } from '@docuvault/local-stack/index';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createRedis } from '@docuvault/shared/queue/redis';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { gatewayHeaders, TEST_SECRET_KEY } from '../../support/signed-fetch.ts';
import { testRedisPrefix, testRedisUrl } from '../../support/redis.ts';

// The subgraph side of signed calls on its own: a route guarded as subgraphs guard
// /graphql, with a stand-in for the multipart parser, against the harness's Redis and
// against a Redis that is not there. What it serves answers 200 "served".

const logger = createLogger('test', 'silent');
const servers: Server[] = [];
const connections: Redis[] = [];

async function guardedRoute(redis: Redis, prefix: string): Promise<string> {
  const guard = gatewaySignatureGuard(TEST_SECRET_KEY, logger, redisReplayGuard(redis, prefix, logger));
  const app = express();
  app.use(
    '/graphql',
    guard.checkHeaders,
    express.json({ verify: guard.verifyBody }),
    ...guard.afterBody,
    // The documents subgraph's parser does this with the two fields it reads first.
    (req: Request, res: Response, next: NextFunction) => {
      if (!req.is('multipart/form-data')) return next();
      const fields = req.headers['x-test-fields'] as string;
      const [operations, map] = JSON.parse(fields) as [string, string];
      const refusal = verifyMultipartFields(req, operations, map);
      if (refusal) return res.status(401).json({ refusal });
      req.resume();
      next();
    },
    guard.afterMultipart,
    (_req: Request, res: Response) => res.json({ served: true }),
  );
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

let live: string;
let away: string;
let redis: Redis;
const prefix = testRedisPrefix('replay-guard');

beforeAll(async () => {
  redis = createRedis(testRedisUrl(), 'producer');
  const gone = createRedis(`redis://127.0.0.1:${await freePort()}`, 'producer');
  connections.push(redis, gone);
  live = await guardedRoute(redis, prefix);
  away = await guardedRoute(gone, 'away');
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  for (const connection of connections) connection.disconnect();
});

const json = (query: string) => JSON.stringify({ query });

async function send(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const signedJson = (url: string, body: string, callId?: string) =>
  send(url, body, {
    'content-type': 'application/json',
    ...gatewayHeaders(url, 'POST', body, callId ? { callId } : {}),
  });

function signedMultipart(url: string, fields: [string, string], sent: [string, string] = fields) {
  const [operations, map] = fields;
  return send(url, '--b--\r\n', {
    'content-type': 'multipart/form-data; boundary=b',
    'x-test-fields': JSON.stringify(sent),
    ...gatewayHeaders(url, 'POST', { operations, map }),
  });
}

describe('each signed call id is accepted once', () => {
  it('serves a call, refuses its second use, and forgets the id once the signature is stale', async () => {
    const callId = 'replay-guard-call-0001';
    const body = json('{ __typename }');
    expect(await signedJson(live, body, callId)).toEqual({ status: 200, body: { served: true } });
    const again = await signedJson(live, body, callId);
    expect(again.status).toBe(401);
    const ttl = await redis.ttl(`${prefix}:subgraph-call:${callId}`);
    // 60 s of skew either way, and a second of slack.
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(61);
  });

  it('serves multipart fields that are what was signed, and refuses others', async () => {
    const fields: [string, string] = ['{"query":"mutation { a }"}', '{"0":["variables.file"]}'];
    expect(await signedMultipart(live, fields)).toEqual({ status: 200, body: { served: true } });
    const swapped = await signedMultipart(live, fields, ['{"query":"mutation { b }"}', fields[1]]);
    expect(swapped).toEqual({ status: 401, body: { refusal: 'invalid' } });
  });
});

describe('a busy process', () => {
  it('counts an answer that arrived while it was busy, however long that was', async () => {
    const guard = redisReplayGuard(redis, prefix, logger);
    const claim = guard.claim('replay-guard-busy-0001', Math.floor(Date.now() / 1000));
    // Redis answers within milliseconds; the answer waits in the socket while this process
    // is busy for longer than the claim's timeout, as under a large upload on a loaded machine.
    const until = Date.now() + 1_500;
    while (Date.now() < until);
    expect(await claim).toBe('fresh');
  });
});

describe('with Redis away', () => {
  it('still serves a query, whose replay would only read again', async () => {
    expect(await signedJson(away, json('query Q { __typename }'))).toEqual({
      status: 200,
      body: { served: true },
    });
  });

  it.each([
    ['a mutation', json('mutation { deleteDocument(id: "x") }')],
    ['a document that does not parse', json('mutation {')],
    [
      'an operation chosen by name among several',
      JSON.stringify({ query: 'query Q { a } mutation M { b }', operationName: 'M' }),
    ],
  ])('refuses %s with 503 SERVICE_UNAVAILABLE', async (_case, body) => {
    const answer = await signedJson(away, body);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'SERVICE_UNAVAILABLE' } }],
    });
  });

  it('refuses a multipart upload with 503 before reading it', async () => {
    const answer = await signedMultipart(away, ['{"query":"mutation { a }"}', '{}']);
    expect(answer.status).toBe(503);
  });
});
