import { QUEUE_NAMES } from '@docuvault/shared/queue/jobs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { QueueStats as Stats } from '@docuvault/ops/queues/queues.service';
import { FAILED_JOBS, sleep, startOpsQueues, STATS, type OpsQueues } from '../../support/ops-queues.ts';

// Ops' queue reads and the operator's access to them; the failed-job and pause controls, with a
// worker running, are in queues-worker.test.ts.
describe('ops queues', () => {
  let h: OpsQueues;

  beforeAll(async () => {
    h = await startOpsQueues('ops-queues');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('answers no read to a caller without the operator token (UNAUTHENTICATED) or with a wrong one', async () => {
    for (const read of [`{ queues { ${STATS} } }`, '{ version { commit } }', '{ versions { service } }']) {
      expect((await h.graphql(read, {}, { authorization: null })).errors?.[0]?.extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
      const wrong = await h.graphql(read, {}, { authorization: `Bearer ${h.opsToken}x` });
      expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(wrong.data).toBeNull();
    }
    const failed = await h.graphql(FAILED_JOBS, { queue: 'classify' }, { authorization: null });
    expect(failed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(failed.data).toBeNull();
  });

  it('lists every queue of the job registry to an operator, with no age when nothing waits', async () => {
    const { queues } = await h.data<{ queues: Stats[] }>(`{ queues { ${STATS} } }`);
    expect(queues.map((q) => q.name).sort()).toEqual(Object.values<string>(QUEUE_NAMES).sort());
    expect(queues.find((q) => q.name === 'classify')).toEqual({
      name: 'classify',
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 0,
      failed: 0,
      paused: false,
      oldestWaitingAgeSeconds: null,
      workers: 0,
    });
  });

  it('counts what was enqueued, and the oldest waiting job ages while it waits', async () => {
    for (let i = 0; i < 3; i++) await h.enqueue();
    await h.enqueue({ delay: 60_000 });

    const first = await h.classifyStats();
    expect(first).toMatchObject({ waiting: 3, delayed: 1, active: 0, failed: 0, completed: 0, workers: 0 });
    expect(first.oldestWaitingAgeSeconds).toEqual(expect.any(Number));

    await sleep(1_100);
    const later = await h.classifyStats();
    expect(later.oldestWaitingAgeSeconds! - first.oldestWaitingAgeSeconds!).toBeGreaterThanOrEqual(1);

    await h.queue.drain(true);
    expect(await h.classifyStats()).toMatchObject({ waiting: 0, delayed: 0, oldestWaitingAgeSeconds: null });
  });

  describe('operator mutations', () => {
    const mutations = [
      ['retryJob', 'mutation { retryJob(id: "some-job") }'],
      ['retryAllFailed', 'mutation { retryAllFailed(queue: "classify") }'],
      ['pauseQueue', 'mutation { pauseQueue(queue: "classify") { paused } }'],
      ['resumeQueue', 'mutation { resumeQueue(queue: "classify") { paused } }'],
    ] as const;

    it.each(mutations)('refuses %s without a bearer token (UNAUTHENTICATED)', async (_name, mutation) => {
      const body = await h.graphql(mutation, {}, { authorization: null });
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('refuses a wrong token, and a token under another scheme (UNAUTHENTICATED)', async () => {
      for (const authorization of [
        `Bearer ${h.opsToken}x`,
        `Bearer ${'a'.repeat(32)}`,
        `Basic ${h.opsToken}`,
      ]) {
        const body = await h.graphql(
          'mutation { pauseQueue(queue: "classify") { paused } }',
          {},
          { authorization },
        );
        expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
      expect(await h.queue.isPaused()).toBe(false);
    });

    it('refuses every operator action when OPS_TOKEN is not configured (FORBIDDEN), whatever is sent', async () => {
      for (const [, mutation] of mutations) {
        const body = await h.graphql(
          mutation,
          {},
          { server: h.opsWithoutToken, authorization: h.asOperator },
        );
        expect(body.data).toBeNull();
        expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(body.errors?.[0]?.message).toMatch(/OPS_TOKEN is not configured/);
      }
    });

    it('checks the token before the arguments: an unknown queue is BAD_USER_INPUT for an operator only', async () => {
      const mutation = 'mutation { retryAllFailed(queue: "no-such-queue") }';
      expect((await h.graphql(mutation, {}, { authorization: null })).errors?.[0]?.extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
      const body = await h.graphql(mutation, {}, { authorization: h.asOperator });
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  it('rejects an unknown queue and a forged cursor in failedJobs (BAD_USER_INPUT)', async () => {
    const unknown = await h.graphql(FAILED_JOBS, { queue: 'no-such-queue' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.message).toMatch(/known: .*classify/);
    const forged = await h.graphql(FAILED_JOBS, { queue: 'classify', after: 'bm90IGEgY3Vyc29y' });
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await h.graphql(FAILED_JOBS, { queue: 'classify', first: 101 });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reports its own build: service, commit, start time and Node version', async () => {
    const { version } = await h.data<{
      version: { service: string; commit: string; startedAt: string; node: string };
    }>('{ version { service commit startedAt node } }');
    expect(version).toEqual({
      service: 'ops',
      commit: 'queues-test-commit',
      startedAt: expect.any(String),
      node: process.version,
    });
    expect(Date.parse(version.startedAt)).toBeLessThanOrEqual(Date.now());
  });
});
