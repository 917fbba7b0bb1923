import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, opsEnv } from '@docuvault/shared/config/index';
import { createOrm } from '@docuvault/shared/db/orm';
import { provisionDatabase } from '@docuvault/shared/db/roles';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { freePort } from '@docuvault/local-stack/free-port';
import { startEmbeddedPostgres, type LocalPostgres } from '@docuvault/local-stack/postgres';
import { startRedis, type LocalRedis } from '@docuvault/local-stack/redis';
import { createLogger } from '@docuvault/shared/logging/logger';
import { defaultMigrationsDir, migrateUp } from '@docuvault/shared/migrations/index';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import { createOpsSubgraph } from '@docuvault/ops/ops-subgraph';
import { createTestBucket, testS3 } from '../../support/s3.ts';

// Ops must tell the truth while dependencies come and go, so this file runs
// its own PostgreSQL and Redis that it can stop and start again on the same
// ports; S3 comes from the harness.
const OPS_TOKEN = 'ops-subgraph-test-operator-token-0123456789';

describe('ops subgraph', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docuvault-ops-'));
  const migrationsDir = join(dir, 'migrations');
  let postgres: LocalPostgres;
  let redisServer: LocalRedis;
  let server: RunningServer;
  let closeAll: () => Promise<void>;
  let pgPort: number;
  let redisPort: number;

  beforeAll(async () => {
    cpSync(defaultMigrationsDir, migrationsDir, { recursive: true });
    [pgPort, redisPort] = [await freePort(), await freePort()];
    [postgres, redisServer] = await Promise.all([
      startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort, ephemeral: true }),
      startRedis({ dataDir: join(dir, 'redis'), port: redisPort }),
    ]);
    const { ownerUrl, appUrl } = await provisionDatabase(postgres.adminUrl, {
      database: 'docuvault',
      ownerRole: 'docuvault_owner',
      ownerPassword: 'owner-password',
      appRole: 'docuvault_app',
      appPassword: 'app-password',
    });
    await migrateUp(ownerUrl, migrationsDir);
    const s3 = testS3();
    const bucket = await createTestBucket('ops');
    const config = loadConfig('ops', opsEnv, {
      // Called directly, not through a gateway: no signatures (as NODE_ENV=test means).
      NODE_ENV: 'test',
      DATABASE_URL: appUrl,
      REDIS_URL: redisServer.url,
      REDIS_PREFIX: 'ops-test',
      MINIO_ENDPOINT: s3.endpoint,
      MINIO_ROOT_USER: s3.accessKey,
      MINIO_ROOT_PASSWORD: s3.secretKey,
      MINIO_REGION: s3.region,
      MINIO_BUCKET: bucket.bucket,
      SECRET_KEY: 'x'.repeat(32),
      // No documents/storage subgraph runs in this file: their checks fail, which the
      // assertions below do not depend on.
      DOCUMENTS_URL: `http://127.0.0.1:${await freePort()}/graphql`,
      STORAGE_URL: `http://127.0.0.1:${await freePort()}/graphql`,
      LOG_LEVEL: 'silent',
      OPS_TOKEN: OPS_TOKEN,
    });
    const orm = await createOrm({ url: appUrl, poolMax: 4, timeouts: { connectMs: 1_500, queryMs: 5_000 } });
    const redis = createRedis(config.REDIS_URL, 'producer');
    const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
    const subgraph = await createOpsSubgraph({
      config,
      logger: createLogger('ops', 'silent'),
      orm,
      redis,
      queue,
      store: createObjectStore(config),
      migrationsDir,
    });
    server = await subgraph.listen('127.0.0.1', 0);
    closeAll = async () => {
      await server.close();
      await queue.close().catch(() => undefined);
      redis.disconnect();
      await orm.close();
      await bucket.cleanup();
    };
  }, 120_000);

  afterAll(async () => {
    await closeAll?.();
    await Promise.allSettled([postgres?.stop(), redisServer?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** As an operator (X-Ops-Token) unless `operator` is false. */
  const query = async <T>(source: string, operator = true): Promise<{ data: T; ms: number }> => {
    const started = performance.now();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(operator ? { 'x-ops-token': OPS_TOKEN } : {}) },
      body: JSON.stringify({ query: source }),
    });
    const body = (await response.json()) as { data: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return { data: body.data, ms: performance.now() - started };
  };

  type HealthData = {
    health: { status: string; checks: { component: string; status: string; error: string | null }[] };
  };
  const health = () =>
    query<HealthData>('{ health { status checks { component status latencyMs checkedAt error } } }');
  const statusOf = (data: HealthData, component: string) =>
    data.health.checks.find((check) => check.component === component)?.status;
  const ready = async () => (await fetch(`${server.url}/health/ready`)).status;
  /** /health/ready caches its report for a second, so a change shows within about that long. */
  async function readyBecomes(status: number, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    while ((await ready()) !== status) {
      if (Date.now() > deadline)
        throw new Error(`/health/ready did not answer ${status} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Polls `health` until `predicate` holds; returns how long that took. */
  async function healthUntil(predicate: (data: HealthData) => boolean, timeoutMs: number) {
    const started = performance.now();
    for (;;) {
      const { data, ms } = await health();
      expect(ms).toBeLessThan(3_000);
      if (predicate(data)) return performance.now() - started;
      if (performance.now() - started > timeoutMs) throw new Error(`not reached: ${JSON.stringify(data)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const readyBody = async (headers: Record<string, string> = {}) =>
    (await (await fetch(`${server.url}/health/ready`, { headers })).json()) as {
      status: string;
      checks: Record<string, { status: string; output?: string }[]>;
    };

  /**
   * Polls /health/ready until its status is `status`. One round of checks serves callers for
   * a second (readiness.ts), so right after a dependency stops it may still answer the round
   * from before: what must hold is that a round after the stop says so.
   */
  async function readyStatusBecomes(status: string, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const body = await readyBody();
      if (body.status === status) return body;
      if (Date.now() > deadline) throw new Error(`/health/ready stayed ${body.status}, not ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('reports every dependency it can reach as PASS', async () => {
    await healthUntil(
      (d) => ['postgres', 'redis', 'objectStore'].every((c) => statusOf(d, c) === 'PASS'),
      10_000,
    );
    const { data } = await health();
    expect(statusOf(data, 'subgraph:documents')).toBe('FAIL');
    expect(statusOf(data, 'classificationWorkers')).toBe('WARN');
    expect(await ready()).toBe(200);
  });

  it('shows anyone status and component names, and the errors (URLs, hosts) only to the operator', async () => {
    const anyone = (await query<HealthData>('{ health { status checks { component status error } } }', false))
      .data;
    expect(statusOf(anyone, 'subgraph:documents')).toBe('FAIL');
    expect(anyone.health.checks.every((check) => check.error === null)).toBe(true);
    expect(JSON.stringify(anyone)).not.toMatch(/127\.0\.0\.1|http:|ECONNREFUSED|fetch failed/);
    const operator = (await health()).data;
    const documents = operator.health.checks.find((check) => check.component === 'subgraph:documents');
    expect(documents?.error).toMatch(/fetch failed|ECONNREFUSED|127\.0\.0\.1/);
  });

  it('reports Redis FAIL within 5 s of it stopping, stays ready (WARN: it still reports), and recovers', async () => {
    await redisServer.stop();
    const waited = await healthUntil((d) => statusOf(d, 'redis') === 'FAIL', 5_000);
    expect(waited).toBeLessThan(5_000);
    expect(statusOf((await health()).data, 'postgres')).toBe('PASS');
    expect(await ready()).toBe(200);
    const body = await readyStatusBecomes('warn');
    expect(body.checks['redis:responseTime']?.[0]).toEqual(expect.objectContaining({ status: 'fail' }));
    expect(body.checks['redis:responseTime']?.[0]?.output).toBeUndefined();
    const detailed = await readyBody({ 'x-ops-token': OPS_TOKEN });
    expect(detailed.checks['redis:responseTime']?.[0]?.output).toEqual(expect.any(String));

    redisServer = await startRedis({ dataDir: join(dir, 'redis'), port: redisPort });
    await healthUntil((d) => statusOf(d, 'redis') === 'PASS', 15_000);
    await readyBecomes(200);
  }, 60_000);

  it('reports PostgreSQL FAIL within 5 s of it stopping, stays ready (WARN), and recovers without a restart', async () => {
    await postgres.stop();
    const waited = await healthUntil((d) => statusOf(d, 'postgres') === 'FAIL', 5_000);
    expect(waited).toBeLessThan(5_000);
    expect(statusOf((await health()).data, 'redis')).toBe('PASS');
    expect(await ready()).toBe(200);
    await readyStatusBecomes('warn');

    postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort, ephemeral: true });
    await healthUntil((d) => statusOf(d, 'postgres') === 'PASS', 15_000);
    await readyBecomes(200);
  }, 60_000);

  type StatusData = {
    migrationStatus: {
      upToDate: boolean;
      serverVersion: string;
      migrations: { name: string; state: string }[];
    };
  };
  const migrationStatus = () =>
    query<StatusData>('{ migrationStatus { upToDate serverVersion migrations { name state appliedAt } } }');

  it('reports migrations as the runner sees them: applied, pending, changed', async () => {
    const before = (await migrationStatus()).data.migrationStatus;
    expect(before.upToDate).toBe(true);
    expect(before.migrations.every((m) => m.state === 'APPLIED')).toBe(true);
    expect(before.serverVersion).toMatch(/^\d+/);

    const applied = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql'))[0]!;
    appendFileSync(join(migrationsDir, applied), '\n-- edited after it was applied\n');
    writeFileSync(
      join(migrationsDir, '2999-01-01T00-00-00-add-example.sql'),
      '-- migrate:up\ncreate table example (id int);\n-- migrate:down\ndrop table example;\n',
    );
    const after = (await migrationStatus()).data.migrationStatus;
    expect(after.upToDate).toBe(false);
    const state = (name: string) => after.migrations.find((m) => m.name === name)?.state;
    expect(state(applied)).toBe('APPLIED_BUT_CHANGED');
    expect(state('2999-01-01T00-00-00-add-example.sql')).toBe('PENDING');
  });

  it('lists every service version, naming the ones it cannot reach', async () => {
    type Versions = {
      versions: { service: string; version: { commit: string; node: string } | null; error: string | null }[];
    };
    const { data } = await query<Versions>(
      '{ versions { service error version { commit node startedAt } } }',
    );
    const ops = data.versions.find((v) => v.service === 'ops');
    expect(ops?.version?.node).toBe(process.version);
    const documents = data.versions.find((v) => v.service === 'documents');
    expect(documents?.version).toBeNull();
    expect(documents?.error).toMatch(/fetch failed|ECONNREFUSED/);
  });
});
