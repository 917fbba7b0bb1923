import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import {
  cachedReport,
  createReadiness,
  runCheck,
  runChecks,
  toHealthJson,
} from '@docuvault/shared/health/index';
import { pino } from 'pino';

const failing = (component: string, message: string, whenFailing?: 'fail' | 'warn') => ({
  component,
  ...(whenFailing ? { whenFailing } : {}),
  run: async () => {
    throw new Error(message);
  },
});

/** A logger whose lines land in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

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
    expect(json.checks['postgres:responseTime']?.[0]).toMatchObject({ status: 'fail' });
    expect(json.checks['postgres:responseTime']?.[0]).not.toHaveProperty('output');
    expect(json).not.toHaveProperty('version');
    const detailed = toHealthJson(report, { service: 'documents', version: 'abc' }, { details: true }) as {
      version: string;
      checks: Record<string, { output?: string }[]>;
    };
    expect(detailed.checks['postgres:responseTime']?.[0]?.output).toBe('down');
    expect(detailed.version).toBe('abc');
  });

  it('keeps a failing check FAIL but counts it as WARN for the service when the service still serves', async () => {
    const report = await runChecks(
      [{ component: 'postgres', run: async () => undefined }, failing('redis', 'connection refused', 'warn')],
      100,
    );
    expect(report.status).toBe('warn');
    expect(report.checks[1]).toMatchObject({ component: 'redis', status: 'fail', impact: 'warn' });
    const essential = await runChecks(
      [failing('redis', 'connection refused', 'warn'), failing('postgres', 'down')],
      100,
    );
    expect(essential.status).toBe('fail');
  });

  it('does not call a dependency down when its answer came while the process was busy', async () => {
    // A dependency whose answer is already on the socket (in the kernel's buffer) while the
    // process is busy: it reaches the check in the event loop's poll phase, as a database's does.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect(port, '127.0.0.1');
    const [[peer]] = await Promise.all([accepted, once(client, 'connect')]);
    try {
      const answered = once(client, 'data').then(() => undefined);
      const pending = runCheck({ component: 'busy-loop', run: () => answered }, 50);
      peer.write('PONG');
      // Block the event loop past the timeout, as a CPU-bound job does: when it is free
      // again, the timer and the answer are both due.
      const until = Date.now() + 200;
      while (Date.now() < until) {
        /* busy */
      }
      expect((await pending).status).toBe('pass');
    } finally {
      client.destroy();
      peer.destroy();
      server.close();
    }
  });

  it('answers a burst of 500 probes with one round of checks, and logs a change once with its error', async () => {
    let rounds = 0;
    let down = false;
    const { logger, lines } = capturingLogger();
    const ready = createReadiness({
      service: 'documents',
      logger,
      ttlMs: 60_000,
      checks: [
        {
          component: 'postgres',
          async run() {
            rounds += 1;
            if (down) throw new Error('connect ECONNREFUSED 10.0.0.7:5432');
          },
        },
      ],
    });
    const reports = await Promise.all(Array.from({ length: 500 }, () => ready()));
    expect(rounds).toBe(1);
    expect(new Set(reports).size).toBe(1);

    down = true;
    const fresh = createReadiness({
      service: 'documents',
      logger,
      ttlMs: 0,
      checks: [failing('postgres', 'connect ECONNREFUSED 10.0.0.7:5432')],
    });
    await fresh();
    await fresh();
    const warnings = lines.filter((line) => line.msg === 'dependency check is not passing');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      component: 'postgres',
      status: 'fail',
      error: expect.stringMatching(/10\.0\.0\.7/),
    });
  });

  it('answers within its timeout while every dependency hangs', async () => {
    const ready = createReadiness({
      service: 'storage',
      logger: capturingLogger().logger,
      timeoutMs: 100,
      checks: [
        { component: 'objectStore', run: () => new Promise(() => undefined) },
        { component: 'postgres', run: () => new Promise(() => undefined) },
      ],
    });
    const started = performance.now();
    const reports = await Promise.all(Array.from({ length: 100 }, () => ready()));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(reports.every((report) => report.status === 'fail')).toBe(true);
  });
});
