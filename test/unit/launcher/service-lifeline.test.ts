import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

// A service started with an IPC channel (as npm start starts each) stops when
// the channel closes: the launcher is gone, SIGKILL included.

const shared = join(import.meta.dirname, '..', '..', '..', 'shared', 'src');
const dir = mkdtempSync(join(tmpdir(), 'docuvault-lifeline-'));

function service(stop: string): string {
  const file = join(dir, `service-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    file,
    [
      `import { stopOnSignals } from ${JSON.stringify(join(shared, 'http', 'shutdown.ts'))};`,
      `import { createLogger } from ${JSON.stringify(join(shared, 'logging', 'logger.ts'))};`,
      `stopOnSignals(createLogger('svc', 'info'), ${stop});`,
      `setInterval(() => {}, 1000);`,
      `process.stdout.write('up\\n');`,
    ].join('\n'),
  );
  return file;
}

async function startThenLoseParent(file: string) {
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const started = performance.now();
  child.disconnect(); // what the kernel does to the channel when the launcher dies
  const code = await exited;
  return { code, ms: performance.now() - started, output };
}

describe('a service whose launcher is gone', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops cleanly when its channel closes', async () => {
    const { code, output } = await startThenLoseParent(service('async () => {}'));
    expect(code).toBe(0);
    expect(output).toMatch(/"signal":"parent gone","msg":"stopping"/);
    expect(output).not.toMatch(/second signal/);
  }, 20_000);

  it('exits within 5 s when its stop waits on a dependency that went with the launcher', async () => {
    const { code, ms, output } = await startThenLoseParent(service('() => new Promise(() => {})'));
    expect(code).toBe(1);
    expect(ms).toBeLessThan(8_000);
    expect(output).toMatch(/"graceMs":5000,"msg":"shutdown took too long: exiting"/);
  }, 20_000);
});
