import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDocumentsSubgraph } from '@docuvault/documents/documents-subgraph';
import { createOpsSubgraph } from '@docuvault/ops/ops-subgraph';
import {
  documentsEnv,
  loadConfig,
  opsEnv,
  storageEnv,
  type DocumentsConfig,
} from '@docuvault/shared/config/index';
import { createOrm } from '@docuvault/shared/db/orm';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import { createStorageSubgraph } from '@docuvault/storage/storage-subgraph';
import { testRedisUrl } from '../../support/redis.ts';
import { signedFetch, TEST_SECRET_KEY } from '../../support/signed-fetch.ts';
import { postJson } from './fake-subgraph.ts';
import {
  createDocumentsTestDeps,
  type DocumentsTestDeps,
  startGatewayAt,
} from '../../support/stacks/index.ts';

// `npm start` runs every service with no NODE_ENV, and small installations run exactly
// that. Then no error response may carry a stack trace or an absolute path: not from the
// gateway, not from any subgraph. Only GRAPHQL_ERROR_DETAILS=true brings them back.

const OPS_TOKEN = 'no-stack-traces-operator-token-0123456789ab';
/** A stack trace, an absolute path of this machine, a source position. */
const LEAK = /stacktrace|\bat \/|\/work\/|node_modules|\.ts:\d+|\/no\/such\/migrations/;

let deps: DocumentsTestDeps;
const servers: RunningServer[] = [];
const closers: (() => Promise<void>)[] = [];
const urls = { documents: '', storage: '', ops: '' };
const detailedUrls = { ops: '' };

/** The environment of `npm start`: every variable a service needs, and no NODE_ENV. */
function npmStartEnv(extra: Record<string, string> = {}): Record<string, string> {
  const c: DocumentsConfig = deps.deps.config;
  return {
    LOG_LEVEL: 'silent',
    SECRET_KEY: TEST_SECRET_KEY,
    DATABASE_URL: c.DATABASE_URL,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: c.REDIS_PREFIX,
    MINIO_ENDPOINT: c.MINIO_ENDPOINT,
    MINIO_ROOT_USER: c.MINIO_ROOT_USER,
    MINIO_ROOT_PASSWORD: c.MINIO_ROOT_PASSWORD,
    MINIO_REGION: c.MINIO_REGION,
    MINIO_BUCKET: c.MINIO_BUCKET,
    ...extra,
  };
}

async function startOps(extra: Record<string, string>): Promise<string> {
  const config = loadConfig('ops', opsEnv, npmStartEnv({ OPS_TOKEN, ...extra }));
  const opsOrm = await createOrm({ url: config.DATABASE_URL, poolMax: 2 });
  const redis = createRedis(config.REDIS_URL, 'producer');
  const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
  const server = await (
    await createOpsSubgraph({
      config,
      logger: createLogger('ops', 'silent'),
      orm: opsOrm,
      redis,
      queue,
      store: createObjectStore(config),
      // Reading it fails with an error whose message is an absolute path.
      migrationsDir: join(tmpdir(), 'no', 'such', 'migrations'),
    })
  ).listen('127.0.0.1', 0);
  closers.push(async () => {
    await server.close();
    await queue.close();
    redis.disconnect();
    await opsOrm.close();
  });
  return `${server.url}/graphql`;
}

beforeAll(async () => {
  deps = await createDocumentsTestDeps('no-stack-traces');
  const documentsConfig = loadConfig('documents', documentsEnv, npmStartEnv());
  expect(documentsConfig.NODE_ENV).toBe('development');
  const documents = await (
    await createDocumentsSubgraph({ ...deps.deps, config: documentsConfig })
  ).listen('127.0.0.1', 0);
  const storageConfig = loadConfig('storage', storageEnv, npmStartEnv());
  // Signed calls are remembered in Redis, so a replay is refused.
  const storageRedis = createRedis(storageConfig.REDIS_URL, 'producer');
  closers.push(async () => storageRedis.disconnect());
  const storage = await (
    await createStorageSubgraph({
      config: storageConfig,
      logger: createLogger('storage', 'silent'),
      store: createObjectStore(storageConfig),
      redis: storageRedis,
    })
  ).listen('127.0.0.1', 0);
  servers.push(documents, storage);
  urls.documents = `${documents.url}/graphql`;
  urls.storage = `${storage.url}/graphql`;
  urls.ops = await startOps({});
  detailedUrls.ops = await startOps({ GRAPHQL_ERROR_DETAILS: 'true' });
});

afterAll(async () => {
  for (const close of closers) await close();
  for (const server of servers) await server.close();
  await deps?.close();
});

/** A gateway as `npm start` runs it (no NODE_ENV). */
async function gateway(extra: Record<string, string> = {}, opsUrl = urls.ops): Promise<string> {
  const running = await startGatewayAt({ ...urls, ops: opsUrl }, { NODE_ENV: '', OPS_TOKEN, ...extra });
  servers.push(running);
  return `${running.url}/graphql`;
}

const asOperator = { 'x-ops-token': OPS_TOKEN };

describe('errors under npm start (no NODE_ENV)', () => {
  it.each([
    [
      'an unexpected error in a subgraph (an absolute path in its message)',
      '{ migrationStatus { upToDate } }',
    ],
    ['a parse error', '{ topics { id }'],
    ['a validation error', '{ topicz { id } }'],
    ['a variable that does not coerce', 'query ($n: Int) { documents(first: $n) { totalCount } }'],
  ])('gives %s a code and no stack trace or path, through the gateway', async (_case, query) => {
    const result = await postJson(
      await gateway(),
      { query, variables: { n: 'many' } },
      { ...asOperator, 'apollo-require-preflight': 'true' },
    );
    expect(result.body.errors?.length).toBeGreaterThan(0);
    for (const error of result.body.errors ?? []) expect(typeof error.extensions?.code).toBe('string');
    expect(result.text).not.toMatch(LEAK);
  });

  it.each(['documents', 'storage', 'ops'] as const)(
    'the %s subgraph answers its own errors without a stack trace',
    async (name) => {
      const queries = [
        '{ nope }',
        '{ __typename',
        ...(name === 'ops' ? ['{ migrationStatus { upToDate } }'] : []),
      ];
      for (const query of queries) {
        // Signed as the gateway signs: signatures are required without NODE_ENV.
        const response = await signedFetch(urls[name], {
          headers: { 'content-type': 'application/json', ...asOperator },
          body: JSON.stringify({ query }),
        });
        const text = await response.text();
        expect((JSON.parse(text) as { errors?: unknown[] }).errors?.length).toBeGreaterThan(0);
        expect(text).not.toMatch(LEAK);
      }
    },
  );

  it('an unexpected error says only "Internal server error"', async () => {
    const result = await postJson(await gateway(), { query: '{ migrationStatus { upToDate } }' }, asOperator);
    expect(result.body.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    ]);
  });
});

describe('GRAPHQL_ERROR_DETAILS=true (a developer asking for them)', () => {
  it('brings stack traces and raw messages back, at the gateway and in the subgraph', async () => {
    const url = await gateway({ GRAPHQL_ERROR_DETAILS: 'true' }, detailedUrls.ops);
    const result = await postJson(url, { query: '{ migrationStatus { upToDate } }' }, asOperator);
    expect(result.text).toMatch(/stacktrace/);
    expect(result.text).toMatch(/no\/such\/migrations/);
  });
});
