import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  spawnWorker,
  waitUntilReady,
  type WorkerProcess,
} from '../integration/classification/worker-process.ts';
import { pausedText, statuses, until, upload, uploadedId, type GraphQLError } from './support/clients.ts';
import { sharedServices, startFaultStack, type FaultStack } from './support/fault-stack.ts';
import { startOwnRedis, type OwnRedis } from './support/services.ts';

// Redis stopped while uploads come in (its own Redis: the queue is lost with it). An upload
// already past the signature's replay check (kept in Redis) finishes and is stored with
// its job unqueued; new ones are refused with SERVICE_UNAVAILABLE (the replay check cannot
// run). Once Redis is back the upload sweeper re-enqueues what never reached the queue and
// every stored document is classified.

let redis: OwnRedis;
let stack: FaultStack;
let worker: WorkerProcess | undefined;

/** The enqueue is given up after 2 s (the sweeper takes over): an upload must not wait on Redis. */
const ANSWER_WITHIN_MS = 10_000;

beforeAll(async () => {
  redis = await startOwnRedis('redis-outage');
  stack = await startFaultStack('fault-redis-outage', { ...sharedServices(), redisUrl: redis.url });
  worker = await spawnWorker(stack.workerEnv({ WORKER_CONCURRENCY: '2' }));
  await waitUntilReady(worker);
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await worker?.exited;
  await stack?.close();
  await redis?.stop();
});

describe('Redis stopped during uploads', () => {
  it('uploads succeed or fail clearly, and every document is classified once it returns', async () => {
    const before = await upload(stack, { filename: 'before.txt', content: 'uploaded before the outage\n' });
    expect(uploadedId(before)).toBeDefined();
    await until(
      'the first document classified',
      () => statuses(stack),
      (s) => s.CLASSIFIED === 1,
    );

    // One upload under way when Redis goes: past the signature's replay check (Redis), its
    // bytes already streaming to S3; it finishes during the outage, its job unqueued.
    let go!: () => void;
    const resume = new Promise<void>((resolve) => (go = resolve));
    const underway = upload(stack, {
      filename: 'underway.txt',
      content: pausedText(9 * 1024 * 1024, 1024, resume),
    });
    await until(
      'the upload streaming to S3',
      () => stack.counts(),
      (c) => c.incompleteUploads > 0,
    );
    await redis.kill();
    go();
    const caught = await underway;
    expect(caught.ms).toBeLessThan(ANSWER_WITHIN_MS + 5_000);
    expect(uploadedId(caught)).toBeDefined();
    const during = await Promise.all(
      [1, 2, 3].map((n) =>
        upload(stack, { filename: `during-${n}.txt`, content: `uploaded during the outage ${n}\n` }),
      ),
    );
    let stored = 2;
    for (const timed of during) {
      expect(timed.ms).toBeLessThan(ANSWER_WITHIN_MS);
      if (uploadedId(timed)) stored += 1;
      else {
        const code = (timed.result?.body.errors as GraphQLError[] | undefined)?.[0]?.extensions?.code;
        expect(code).toBeDefined();
        expect(code).not.toBe('INTERNAL_SERVER_ERROR');
      }
    }
    const codes = during.map(
      (t) => (t.result?.body.errors as GraphQLError[] | undefined)?.[0]?.extensions?.code ?? 'stored',
    );
    process.stderr.write(
      `Redis outage: uploads answered in ${during.map((t) => Math.round(t.ms)).join(', ')} ms: ` +
        `${codes.join(', ')}\n`,
    );

    const restarted = performance.now();
    await redis.restart();
    await until(
      'every stored document classified',
      () => statuses(stack),
      (s) => s.CLASSIFIED === stored,
      60_000,
    );
    process.stderr.write(
      `Redis outage: all classified ${Math.round(performance.now() - restarted)} ms after Redis returned\n`,
    );
    const counts = await stack.counts();
    expect(counts).toEqual({
      rows: stored,
      objects: stored,
      incompleteUploads: 0,
      chargedBytes: counts.storedBytes,
      storedBytes: counts.storedBytes,
    });
  });
});
