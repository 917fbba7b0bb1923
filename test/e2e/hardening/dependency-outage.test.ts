import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DocumentsDeps } from '@docuvault/documents/context';
import { createDocumentsSubgraph } from '@docuvault/documents/documents-subgraph';
import { createOpsSubgraph } from '@docuvault/ops/ops-subgraph';
import { documentsEnv, loadConfig, opsEnv } from '@docuvault/shared/config/index';
import { createOrm } from '@docuvault/shared/db/orm';
import { provisionDatabase } from '@docuvault/shared/db/roles';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { freePort } from '@docuvault/local-stack/free-port';
import { startEmbeddedPostgres, type LocalPostgres } from '@docuvault/local-stack/postgres';
import { createLogger } from '@docuvault/shared/logging/logger';
import { migrateUp } from '@docuvault/shared/migrations/index';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import type { MikroORM } from '@mikro-orm/postgresql';
import { gatewayClient } from '../../support/gateway-client.ts';
import { testRedisPrefix, testRedisUrl } from '../../support/redis.ts';
import { createTestBucket, testS3, type TestBucket } from '../../support/s3.ts';
import { TEST_SECRET_KEY } from '../../support/signed-fetch.ts';
import { startGatewayAt } from '../../support/stacks/index.ts';

// While PostgreSQL is down (stopped, or restarting), every client gets SERVICE_UNAVAILABLE
// with a retry hint: never INTERNAL_SERVER_ERROR with the driver's text (`connect
// ECONNREFUSED 127.0.0.1:43705`), whether error details are exposed or not. This file runs
// its own PostgreSQL, so it can stop and start it; everything else is the harness's.

const OPS_TOKEN = 'dependency-outage-operator-token-0123456789';
const DRIVER_TEXT = /ECONNREFUSED|127\.0\.0\.1|::1|\d{4,5}\b.*connect|terminat|shutting down|stacktrace/;

const dir = mkdtempSync(join(tmpdir(), 'docuvault-outage-'));
let postgres: LocalPostgres;
let pgPort: number;
let orm: MikroORM;
let bucket: TestBucket;
const closers: (() => Promise<void>)[] = [];
/** Gateways over the same subgraphs, one per error mode. */
const gateways: Record<'plain' | 'detailed', string> = { plain: '', detailed: '' };

async function startPostgres() {
  postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort, ephemeral: true });
}

beforeAll(async () => {
  pgPort = await freePort();
  await startPostgres();
  const { ownerUrl, appUrl } = await provisionDatabase(postgres.adminUrl, {
    database: 'docuvault',
    ownerRole: 'docuvault_owner',
    ownerPassword: 'owner-password',
    appRole: 'docuvault_app',
    appPassword: 'app-password',
  });
  await migrateUp(ownerUrl);
  bucket = await createTestBucket('outage');
  const s3 = testS3();
  const env = (details: boolean) => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: TEST_SECRET_KEY,
    DATABASE_URL: appUrl,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: testRedisPrefix('outage'),
    MINIO_ENDPOINT: s3.endpoint,
    MINIO_ROOT_USER: s3.accessKey,
    MINIO_ROOT_PASSWORD: s3.secretKey,
    MINIO_REGION: s3.region,
    MINIO_BUCKET: bucket.bucket,
    GRAPHQL_ERROR_DETAILS: String(details),
    OPS_TOKEN,
  });
  orm = await createOrm({ url: appUrl, poolMax: 4 });
  const redis = createRedis(testRedisUrl(), 'producer');
  const queue = createClassifyQueue(redis, testRedisPrefix('outage'));
  const opsOrm = await createOrm({ url: appUrl, poolMax: 2 });
  closers.push(async () => {
    await queue.close();
    redis.disconnect();
    await opsOrm.close();
  });
  for (const mode of ['plain', 'detailed'] as const) {
    const documentsConfig = loadConfig('documents', documentsEnv, env(mode === 'detailed'));
    const deps: DocumentsDeps = {
      config: documentsConfig,
      logger: createLogger('documents', 'silent'),
      em: orm.em,
      store: createObjectStore(documentsConfig),
      queue,
      redis,
    };
    const documents = await (await createDocumentsSubgraph(deps)).listen('127.0.0.1', 0);
    const opsConfig = loadConfig('ops', opsEnv, env(mode === 'detailed'));
    const ops = await (
      await createOpsSubgraph({
        config: opsConfig,
        logger: createLogger('ops', 'silent'),
        orm: opsOrm,
        redis,
        queue,
        store: createObjectStore(opsConfig),
      })
    ).listen('127.0.0.1', 0);
    const gateway = await startGatewayAt(
      { documents: `${documents.url}/graphql`, storage: `${ops.url}/graphql`, ops: `${ops.url}/graphql` },
      { GRAPHQL_ERROR_DETAILS: String(mode === 'detailed') },
    );
    closers.push(...[gateway, documents, ops].map((server: RunningServer) => () => server.close()));
    gateways[mode] = `${gateway.url}/graphql`;
  }
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await orm?.close();
  await bucket?.cleanup();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const READS = [
  ['documents (MikroORM)', '{ topics { id } }', {}],
  ['ops (its ORM pool)', '{ migrationStatus { upToDate } }', { 'x-ops-token': OPS_TOKEN }],
] as const;

async function ask(mode: keyof typeof gateways, query: string, headers: Record<string, string>) {
  const started = performance.now();
  const answer = await gatewayClient(gateways[mode]).call(query, {}, { headers });
  return { answer, ms: performance.now() - started, text: JSON.stringify(answer) };
}

describe('PostgreSQL stopped', () => {
  it('answers every read normally while it runs', async () => {
    for (const mode of ['plain', 'detailed'] as const) {
      for (const [, query, headers] of READS)
        expect((await ask(mode, query, headers)).answer.errors).toBeUndefined();
    }
  });

  it('answers SERVICE_UNAVAILABLE with a retry hint and no driver text, in every mode, within 10 s', async () => {
    await postgres.stop();
    for (const mode of ['plain', 'detailed'] as const) {
      for (const [, query, headers] of READS) {
        const { answer, ms, text } = await ask(mode, query, headers);
        expect(answer.errors).toHaveLength(1);
        const [error] = answer.errors!;
        expect(error?.extensions).toMatchObject({
          code: 'SERVICE_UNAVAILABLE',
          retryAfterSeconds: expect.any(Number),
        });
        // With details exposed the gateway adds its own stack and the subgraph's name;
        // the driver's words are in neither mode.
        const { stacktrace: _stacktrace, ...extensions } = error?.extensions ?? {};
        expect(JSON.stringify({ message: error?.message, extensions })).not.toMatch(DRIVER_TEXT);
        if (mode === 'plain') expect(text).not.toMatch(DRIVER_TEXT);
        expect(JSON.stringify(_stacktrace ?? '')).not.toMatch(/ECONNREFUSED|shutting down/);
        expect(ms).toBeLessThan(10_000);
      }
    }
  }, 60_000);

  it('recovers without a restart once it is back', async () => {
    await startPostgres();
    for (const mode of ['plain', 'detailed'] as const) {
      for (const [, query, headers] of READS) {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const { answer } = await ask(mode, query, headers);
          if (answer.errors === undefined) break;
          expect(answer.errors[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
          if (Date.now() > deadline) throw new Error(`${query} did not recover: ${JSON.stringify(answer)}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  }, 60_000);
});
