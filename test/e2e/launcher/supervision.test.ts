import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { probe } from '@docuvault/local-stack/launcher/readiness';
import { isPortFree } from '@docuvault/local-stack/free-port';
import { givenDependencies, type GivenDependencies } from './given-dependencies.ts';
import {
  commandOf,
  descendants,
  exitedWithin,
  killAll,
  launch,
  launchUntilReady,
  signalAndWait,
  waitUntilGone,
  type LaunchedSystem,
} from './launched-system.ts';

// npm start restarts what crashes and stops only when a process keeps failing
// at start. The services run against the harness's dependencies (the subject
// here is the services, and the machine is small).

// Ports fetch() refuses (WHATWG "bad ports"); the gateway listens on the first free one.
const BAD_PORTS = [6000, 6665, 6666, 6667, 6668, 6669, 10080];

describe('npm start supervises its services', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docuvault-supervision-'));
  let given: GivenDependencies;
  let system: LaunchedSystem | undefined;

  beforeAll(async () => {
    given = await givenDependencies('launcher supervision');
  });
  afterAll(async () => {
    if (system) killAll([system.pid, ...descendants(system.pid)]);
    await given.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const servicePid = (entry: string) => {
    const pid = descendants(system!.pid).find((p) => commandOf(p).endsWith(entry));
    if (pid === undefined) throw new Error(`no process running ${entry}`);
    return pid;
  };

  it('becomes ready on a port fetch refuses, and brings a killed worker and subgraph back', async () => {
    let gatewayPort: number | undefined;
    for (const port of BAD_PORTS)
      if (gatewayPort === undefined && (await isPortFree(port))) gatewayPort = port;
    if (gatewayPort === undefined) throw new Error(`none of ${BAD_PORTS.join(', ')} is free`);
    system = await launchUntilReady(
      { dataDir, env: given.env, ports: { GATEWAY_PORT: gatewayPort } },
      new RegExp(`\\[docuvault\\] ready: http://127.0.0.1:${gatewayPort}/graphql`),
      150_000,
    );
    const gatewayReady = `http://127.0.0.1:${gatewayPort}/health/ready`;

    const worker = servicePid('subgraphs/documents/src/worker.ts');
    process.kill(worker, 'SIGKILL');
    await system.waitForLine(
      /\[docuvault\] worker was killed by SIGKILL after .* restarting it in 0\.5 s \(restart 1\)/,
      10_000,
    );
    const workerBack = await system.waitForLine(
      /\[docuvault\] worker is ready again, [\d.]+ s after it exited/,
      60_000,
    );
    expect(servicePid('subgraphs/documents/src/worker.ts')).not.toBe(worker);

    const documents = servicePid('subgraphs/documents/src/main.ts');
    const killedAt = performance.now();
    process.kill(documents, 'SIGKILL');
    await system.waitForLine(/\[docuvault\] documents is ready again/, 60_000);
    // The gateway is ready once its subgraphs are.
    let gateway = await probe(gatewayReady);
    while (!gateway.ok && performance.now() - killedAt < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      gateway = await probe(gatewayReady);
    }
    expect(gateway).toMatchObject({ ok: true });
    process.stdout.write(
      `${workerBack.replace('[docuvault] ', '')}; gateway ready ${((performance.now() - killedAt) / 1000).toFixed(1)} s after documents was killed\n`,
    );

    const outcome = await signalAndWait(system, 'npm', 'SIGTERM');
    expect(outcome.left).toEqual({ pids: [], ports: [] });
    expect(outcome.exit).toEqual({ code: 0, signal: null });
    system = undefined;
  }, 300_000);

  it('stops everything, with a clear message, when a service keeps failing at start', async () => {
    // Something else holds the ops port: ops can never listen.
    const squatter: Server = createServer((socket) => socket.destroy()); // the gateway probes it
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const opsPort = (squatter.address() as { port: number }).port;
    try {
      system = await launch({ dataDir, env: given.env, ports: { OPS_PORT: opsPort } });
      const exit = await exitedWithin(system, 120_000);
      const output = system.output();
      expect(exit).toEqual({ code: 1, signal: null });
      expect(output).toMatch(/EADDRINUSE/); // ops' own words
      expect(output).toMatch(
        /\[docuvault\] ops exited with code 1 after [\d.]+ s; it exited 5 times in a row within 10 s of starting, so it will not start by retrying: giving up/,
      );
      expect(output).toContain(
        '[docuvault] ops keeps failing at start (its own output above says why): stopping everything…',
      );
      // Five exits in a row within 10 s of starting: the four before the last were restarted.
      // A first start slower than 10 s (a loaded machine) does not count towards the streak,
      // so only the last four restarts are bound to it.
      const restarts = [
        ...output.matchAll(/\[docuvault\] ops exited with code 1 after ([\d.]+) s; restarting it in/g),
      ];
      expect(restarts.length).toBeGreaterThanOrEqual(4);
      expect(restarts.slice(-4).every(([, seconds]) => Number(seconds) < 10)).toBe(true);
      const ports = Object.values(system.ports).filter((p) => p !== opsPort);
      expect(await waitUntilGone([], ports, 10_000)).toMatchObject({ ports: [] });
      system = undefined;
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 180_000);
});
