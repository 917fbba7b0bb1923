import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { givenDependencies, type GivenDependencies } from './given-dependencies.ts';
import {
  descendants,
  killAll,
  launchUntilReady,
  signalAndWait,
  type LaunchedSystem,
  type SignalTarget,
} from './launched-system.ts';

// However `npm start` is asked to stop, everything it started stops within
// 10 s: npm, the launcher, the services and the worker, and its own PostgreSQL,
// Redis and Ceph; every port is free, npm exits 0, and no service takes the
// "second signal" path. Each variant needs a started system of its own. Those
// whose subject is the embedded dependencies run zero-config (one data
// directory, so later starts re-use the clusters); the others start only the
// services, against the harness's dependencies.

const STOP_WITHIN_MS = 10_000;
const READY = /\[docuvault\] ready:/;

describe('npm start stops everything when signalled', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docuvault-signals-'));
  let given: GivenDependencies;
  let running: LaunchedSystem | undefined;

  beforeAll(async () => {
    given = await givenDependencies('launcher signals');
  });
  afterAll(async () => {
    if (running) killAll([running.pid, ...descendants(running.pid)]);
    await given.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(embedded: boolean): Promise<LaunchedSystem> {
    running = await launchUntilReady({ dataDir, env: embedded ? {} : given.env }, READY, 150_000);
    // Only services (and, zero-config, the dependencies) below npm: five services at least.
    expect(descendants(running.pid).length).toBeGreaterThanOrEqual(6);
    return running;
  }

  const variants: Array<{ target: SignalTarget; signal: NodeJS.Signals; embedded: boolean; why: string }> = [
    { target: 'group', signal: 'SIGINT', embedded: true, why: "a terminal's Ctrl-C" },
    { target: 'npm', signal: 'SIGTERM', embedded: true, why: 'npm used to die and orphan everything' },
    {
      target: 'npm',
      signal: 'SIGINT',
      embedded: false,
      why: 'npm used to forward it to a shell that ignored it',
    },
    {
      target: 'launcher',
      signal: 'SIGTERM',
      embedded: false,
      why: 'a process manager stopping the launcher',
    },
    { target: 'group', signal: 'SIGTERM', embedded: false, why: '`kill -- -<group>`' },
  ];

  it.each(variants)(
    '$signal to $target ($why)',
    async ({ target, signal, embedded }) => {
      const system = await start(embedded);
      const outcome = await signalAndWait(system, target, signal, STOP_WITHIN_MS);
      expect(outcome.left).toEqual({ pids: [], ports: [] });
      expect(outcome.exit).toEqual({ code: 0, signal: null });
      expect(system.output()).not.toMatch(/second signal/);
      expect(system.output()).toContain(`[docuvault] ${signal} received: stopping everything…`);
      expect(system.output()).toContain('[docuvault] stopped');
      process.stdout.write(`${signal} to ${target}: everything gone after ${outcome.ms} ms\n`);
      running = undefined;
    },
    240_000,
  );

  it('stops everything when npm, its parent, is SIGKILLed', async () => {
    const system = await start(false);
    const outcome = await signalAndWait(system, 'npm', 'SIGKILL', STOP_WITHIN_MS);
    expect(outcome.left).toEqual({ pids: [], ports: [] });
    expect(system.output()).toMatch(
      /\[docuvault\] the parent process \(pid \d+\) is gone: stopping everything…/,
    );
    expect(system.output()).toContain('[docuvault] stopped');
    expect(system.output()).not.toMatch(/second signal/);
    process.stdout.write(`npm SIGKILLed: everything gone after ${outcome.ms} ms\n`);
    running = undefined;
  }, 240_000);

  it('leaves nothing running when the launcher itself is SIGKILLed', async () => {
    const system = await start(true);
    const outcome = await signalAndWait(system, 'launcher', 'SIGKILL', STOP_WITHIN_MS);
    // Services follow their IPC lifeline, the dependencies their parent-death signal.
    expect(outcome.left).toEqual({ pids: [], ports: [] });
    expect(system.output()).not.toMatch(/second signal/);
    process.stdout.write(`launcher SIGKILLed: everything gone after ${outcome.ms} ms\n`);
    running = undefined;
  }, 240_000);
});
