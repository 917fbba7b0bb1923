import { describe, expect, it } from '@jest/globals';
import { cachedReport, runCheck, runChecks, toHealthJson } from '@docuvault/shared/health/index';

describe('health checks', () => {
  it('turns a hung dependency into fail when the timeout passes', async () => {
    const started = performance.now();
    const result = await runCheck({ component: 'hung', run: () => new Promise(() => undefined) }, 100);
    expect(result.status).toBe('fail');
    expect(result.error).toMatch(/timed out after 100 ms/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('aborts the hung check so it can release what it holds', async () => {
    let aborted = false;
    await runCheck(
      {
        component: 'hung',
        run: (signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))),
      },
      50,
    );
    expect(aborted).toBe(true);
  });

  it('reports the worst status of all checks', async () => {
    const report = await runChecks(
      [
        { component: 'a', run: async () => undefined },
        { component: 'b', run: async () => ({ status: 'warn', output: 'degraded' }) },
      ],
      100,
    );
    expect(report.status).toBe('warn');
    const failing = await runChecks(
      [
        { component: 'a', run: async () => ({ status: 'warn' }) },
        {
          component: 'b',
          run: async () => {
            throw new Error('connection refused');
          },
        },
      ],
      100,
    );
    expect(failing.status).toBe('fail');
    expect(failing.checks[1]?.error).toBe('connection refused');
  });

  it('shares one round of checks between callers within the cache window', async () => {
    let rounds = 0;
    const report = cachedReport(async () => {
      rounds += 1;
      return { status: 'pass', checks: [] };
    }, 60_000);
    await Promise.all(Array.from({ length: 50 }, () => report()));
    expect(rounds).toBe(1);
  });

  it('renders the IETF health+json shape with component:measurement keys', async () => {
    const report = await runChecks(
      [
        {
          component: 'postgres',
          run: async () => {
            throw new Error('down');
          },
        },
      ],
      100,
    );
    const json = toHealthJson(report, { service: 'documents', version: 'abc' }) as {
      status: string;
      checks: Record<string, { status: string; output?: string; time: string }[]>;
    };
    expect(json.status).toBe('fail');
    expect(json.checks['postgres:responseTime']?.[0]).toMatchObject({ status: 'fail', output: 'down' });
  });
});
