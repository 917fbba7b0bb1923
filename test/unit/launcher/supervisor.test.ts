import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Supervisor } from '@docuvault/local-stack/launcher/supervisor';

// Real (tiny) processes under the supervisor; the restart policy is shortened, except the
// run that counts as healthy: a Node process that exits at once must never take that long,
// even on a loaded machine (1 s was not enough there: a slow start broke the streak).
const policy = { firstDelayMs: 50, maxDelayMs: 200, healthyAfterMs: 10_000, maxQuickFailures: 3 };
const node = (script: string) => () =>
  spawn(process.execPath, ['-e', script], { stdio: 'ignore', detached: true });
const LONG_RUNNING = 'setInterval(() => {}, 1000)';

function until<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = check();
      if (value !== undefined) resolve(value);
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

describe('npm start: the supervisor', () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => {
    await supervisor?.stop(1_000);
  });

  it('restarts a process that was killed, and says so', async () => {
    const lines: string[] = [];
    const restarted: string[] = [];
    supervisor = new Supervisor([{ name: 'worker', spawn: node(LONG_RUNNING) }], {
      policy,
      log: (line) => lines.push(line),
      onGiveUp: () => {
        throw new Error('must not give up');
      },
      onRestart: (name) => restarted.push(name),
    });
    supervisor.start();
    const first = await until(() => supervisor!.pids().worker);
    process.kill(first, 'SIGKILL');
    const second = await until(() => {
      const pid = supervisor!.pids().worker;
      return pid !== undefined && pid !== first ? pid : undefined;
    });
    expect(second).not.toBe(first);
    expect(restarted).toEqual(['worker']);
    expect(lines).toEqual([
      expect.stringMatching(
        /^worker was killed by SIGKILL after \d+\.\d s; restarting it in 0\.1 s \(restart 1\)$/,
      ),
    ]);
  });

  it('gives up on a process that keeps failing at start, naming it and how it ended', async () => {
    const lines: string[] = [];
    const gaveUp = new Promise<{ name: string; message: string }>((resolve) => {
      supervisor = new Supervisor([{ name: 'ops', spawn: node('process.exit(3)') }], {
        policy,
        log: (line) => lines.push(line),
        onGiveUp: (name, message) => resolve({ name, message }),
      });
    });
    supervisor!.start();
    const { name, message } = await gaveUp;
    expect(name).toBe('ops');
    expect(message).toMatch(
      /^ops exited with code 3 after \d+\.\d s; it exited 3 times in a row within 10 s of starting/,
    );
    expect(lines).toHaveLength(3); // two restarts, then the give-up
    expect(lines.slice(0, 2)).toEqual([
      expect.stringContaining('restarting it in 0.1 s (restart 1)'),
      expect.stringContaining('restarting it in 0.1 s (restart 2)'),
    ]);
  });

  it('stops every process, kills one that ignores SIGTERM after the grace, and restarts none', async () => {
    const lines: string[] = [];
    // The stubborn one says when its handler is in place (a fixed wait was too short under load).
    const dir = mkdtempSync(path.join(tmpdir(), 'supervisor-test-'));
    const ready = path.join(dir, 'ready');
    const stubborn = `process.on('SIGTERM', () => {}); require('node:fs').writeFileSync(${JSON.stringify(ready)}, ''); ${LONG_RUNNING}`;
    supervisor = new Supervisor(
      [
        { name: 'polite', spawn: node(LONG_RUNNING) },
        { name: 'stubborn', spawn: node(stubborn) },
      ],
      { policy, log: (line) => lines.push(line), onGiveUp: () => undefined },
    );
    supervisor.start();
    await until(() => {
      const pids = supervisor!.pids();
      return pids.polite && pids.stubborn ? pids : undefined;
    });
    await until(() => (existsSync(ready) ? true : undefined));
    rmSync(dir, { recursive: true, force: true });
    const started = performance.now();
    await supervisor.stop(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    expect(supervisor.pids()).toEqual({ polite: undefined, stubborn: undefined });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(supervisor.pids()).toEqual({ polite: undefined, stubborn: undefined });
    expect(lines).toEqual([]);
  });
});
