import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { freePort } from '@docuvault/local-stack/free-port';
import { descendants, waitUntilGone } from './launcher/launched-system.ts';

const repo = join(import.meta.dirname, '..', '..');

// `npm start` with an empty environment (only PATH/HOME and free ports, so it
// cannot clash with anything else on the machine) brings up every service
// and its own PostgreSQL, Redis and S3.
describe('zero-config start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docuvault-start-'));
  let child: ReturnType<typeof spawn> | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the composed schema through the gateway and stops everything cleanly on SIGINT', async () => {
    const ports = {
      GATEWAY_PORT: await freePort(),
      DOCUMENTS_PORT: await freePort(),
      STORAGE_PORT: await freePort(),
      OPS_PORT: await freePort(),
      WORKER_HEALTH_PORT: await freePort(),
    };
    const started = performance.now();
    child = spawn(process.execPath, [join(repo, 'devkit/local-stack/src/launcher/start.ts')], {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DOCUVAULT_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));

    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes('[docuvault] ready:')) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      void exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`));
      });
    });
    const readyAfterSeconds = (performance.now() - started) / 1000;
    process.stdout.write(`zero-config start was ready after ${readyAfterSeconds.toFixed(1)} s\n`);

    const gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
    expect((await fetch(`${gateway}/health/ready`)).status).toBe(200);
    const response = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
    });
    const body = (await response.json()) as { data: { __schema: { types: { name: string }[] } } };
    const types = body.data.__schema.types.map((t) => t.name);
    expect(types).toEqual(expect.arrayContaining(['Document', 'Topic', 'Folder'])); // documents
    expect(types).toEqual(expect.arrayContaining(['PresignedUrl', 'StoredObject'])); // storage
    expect(types).toEqual(expect.arrayContaining(['Health', 'MigrationStatus'])); // ops

    // Everything it started (services, PostgreSQL, Redis, Ceph) is gone within 10 s, ports freed.
    const pids = descendants(child.pid!);
    const dependencyPorts = [/on port (\d+)/g, /at http:\/\/127\.0\.0\.1:(\d+)/g].flatMap((re) =>
      [...output.matchAll(re)].map((m) => Number(m[1])),
    );
    expect(pids.length).toBeGreaterThanOrEqual(8);
    child.kill('SIGINT');
    const left = await waitUntilGone(pids, [...Object.values(ports), ...dependencyPorts], 10_000);
    expect(left).toMatchObject({ pids: [], ports: [] });
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/second signal/);
  }, 180_000);
});
