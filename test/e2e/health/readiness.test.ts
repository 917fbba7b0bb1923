import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '@docuvault/local-stack/free-port';
import { startRedis, type LocalRedis } from '@docuvault/local-stack/redis';
import { Redis } from 'ioredis';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';
import { createTestBucket, testS3, type TestBucket } from '../../support/s3.ts';
import { TEST_SECRET_KEY } from '../../support/signed-fetch.ts';

// Readiness as each service defines it (README, health section), checked on the real
// entry points (their main.ts, as `npm start` runs them) against real dependencies that
// this file takes away: a Redis it started itself, and an S3 endpoint that it can make
// go dark (a TCP relay in front of the harness's S3, closed mid-test).

const repo = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'docuvault-readiness-'));

/** A TCP relay to `target`: S3 as storage sees it, until `close()` makes it unreachable. */
async function relay(target: URL): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 80), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (!server.listening) return;
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

interface Service {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

async function startService(
  entry: string,
  portVariable: string,
  env: Record<string, string>,
): Promise<Service> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(repo, entry)], {
    cwd: repo,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      [portVariable]: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited: ${output}`);
    const live = await fetch(`${url}/health/live`).catch(() => undefined);
    if (live?.ok) break;
    if (Date.now() > deadline) throw new Error(`${entry} did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface ReadyAnswer {
  status: number;
  body: { status: string; checks: Record<string, { status: string; output?: string }[]> };
  text: string;
}

async function ready(service: Service): Promise<ReadyAnswer> {
  const response = await fetch(`${service.url}/health/ready`);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as ReadyAnswer['body'], text };
}

async function readyUntil(service: Service, done: (answer: ReadyAnswer) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await ready(service);
    if (done(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`not reached: ${answer.status} ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const component = (answer: ReadyAnswer, name: string) =>
  answer.body.checks[`${name}:responseTime`]?.[0]?.status;

let database: TestDatabase;
let bucket: TestBucket;
let redis: LocalRedis;
const services: Service[] = [];

/** What documents and storage need; S3 and Redis as each test says. */
function serviceEnv(s3Endpoint: string): Record<string, string> {
  const s3 = testS3();
  return {
    SECRET_KEY: TEST_SECRET_KEY,
    DATABASE_URL: database.appUrl,
    REDIS_URL: redis.url,
    MINIO_ENDPOINT: s3Endpoint,
    MINIO_ROOT_USER: s3.accessKey,
    MINIO_ROOT_PASSWORD: s3.secretKey,
    MINIO_REGION: s3.region,
    MINIO_BUCKET: bucket.bucket,
  };
}

beforeAll(async () => {
  [database, bucket, redis] = await Promise.all([
    migratedTestDatabase('readiness'),
    createTestBucket('readiness'),
    startRedis({ dataDir: join(dir, 'redis') }),
  ]);
}, 60_000);

afterAll(async () => {
  for (const service of services) await service.stop();
  await redis?.stop();
  await bucket?.cleanup();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('documents during a Redis outage', () => {
  let documents: Service;

  beforeAll(async () => {
    documents = await startService(
      'subgraphs/documents/src/main.ts',
      'DOCUMENTS_PORT',
      serviceEnv(testS3().endpoint),
    );
    services.push(documents);
    await readyUntil(documents, (answer) => answer.body.status === 'pass');
  }, 60_000);

  it('answers a burst of probes with one round of checks (PINGs counted on the Redis itself)', async () => {
    const counter = new Redis(redis.url);
    try {
      const pings = async () =>
        Number(/cmdstat_ping:calls=(\d+)/.exec(await counter.info('commandstats'))?.[1] ?? 0);
      const before = await pings();
      const answers = await Promise.all(Array.from({ length: 300 }, () => ready(documents)));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      // One round per second at most: a burst that takes a second or two costs a few PINGs.
      expect((await pings()) - before).toBeLessThanOrEqual(4);
    } finally {
      counter.disconnect();
    }
  });

  it('stays ready (200, WARN) while Redis is down: uploads still work and are enqueued later', async () => {
    await redis.stop();
    const answer = await readyUntil(documents, (a) => component(a, 'redis') === 'fail');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('warn');
    expect(component(answer, 'postgres')).toBe('pass');
    // Anyone may probe: the error is in the log, not in the answer.
    expect(answer.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|"output"/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Each change is logged once, with the dependency's error: a lasting outage is one line.
    // Redis that answers once more while it shuts down is a real change, logged as one, so
    // the lines alternate failing / recovered and never repeat.
    const changes = documents
      .output()
      .split('\n')
      .filter(
        (line) =>
          line.includes('"component":"redis"') &&
          (line.includes('dependency check is not passing') || line.includes('dependency check recovered')),
      );
    const failing = changes.filter((line) => line.includes('is not passing'));
    expect(failing.length).toBeGreaterThanOrEqual(1);
    for (const line of failing) expect(line).toMatch(/"error":"[^"]+"/);
    expect(changes.at(-1)).toContain('is not passing');
    changes.forEach((line, i) => {
      if (i > 0) expect(line.includes('is not passing')).not.toBe(changes[i - 1]!.includes('is not passing'));
    });

    redis = await startRedis({ dataDir: join(dir, 'redis'), port: redis.port });
    await readyUntil(documents, (a) => a.body.status === 'pass');
  }, 60_000);
});

describe('storage when S3 goes down after start', () => {
  it('answers 503 (objectStore FAIL) once the store it bootstrapped against is unreachable', async () => {
    const s3 = await relay(new URL(testS3().endpoint));
    try {
      const storage = await startService('subgraphs/storage/src/main.ts', 'STORAGE_PORT', serviceEnv(s3.url));
      services.push(storage);
      await readyUntil(
        storage,
        (answer) => answer.status === 200 && component(answer, 'objectStore') === 'pass',
      );

      await s3.close();
      const down = await readyUntil(storage, (answer) => answer.status === 503);
      expect(down.body.status).toBe('fail');
      expect(component(down, 'objectStore')).toBe('fail');
      // Storage has no database since direct uploads moved to documents (docs/adr/0004).
      expect(component(down, 'postgres')).toBeUndefined();
      expect(down.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|"output"/);
    } finally {
      await s3.close();
    }
  }, 60_000);

  it('is not ready when its S3 endpoint was never up', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const storage = await startService('subgraphs/storage/src/main.ts', 'STORAGE_PORT', serviceEnv(nowhere));
    services.push(storage);
    const started = performance.now();
    const answer = await ready(storage);
    expect(answer.status).toBe(503);
    expect(component(answer, 'objectStore')).toBe('fail');
    // Probes have timeouts: a dead store does not hold the probe.
    expect(performance.now() - started).toBeLessThan(5_000);
  }, 60_000);
});
