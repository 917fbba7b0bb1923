// `npm start`: the whole system on one machine, zero configuration.
// Any variable that is set wins over its embedded default.
//
// It supervises: a service or the worker that exits is restarted (restart-policy.ts
// says when, and when it gives up), and it stops everything, once, when asked to
// (stop-requests.ts says what asks).
import { join } from 'node:path';
import { loadConfig } from '@docuvault/shared/config/index';
import { ports as portSettings } from '@docuvault/shared/config/env-schema';
import { migrateUp } from '@docuvault/shared/migrations/index';
import { provideDependencies } from './dependencies.ts';
import { missingOcrTools } from './ocr-tools.ts';
import { SERVICES, spawnService } from './processes.ts';
import { GaveUp, probeHost, waitForReady } from './readiness.ts';
import { onStopRequest } from './stop-requests.ts';
import { Supervisor } from './supervisor.ts';

/** How long a service may take to stop before it is killed; the dependencies stop after it. */
const SERVICE_GRACE_MS = 6_000;
/** Under npm start the worker hands running jobs back to the queue after this, to stop within the grace above. */
const WORKER_SHUTDOWN_GRACE_MS = '4000';
/** Not ready after this: say what the gateway answers, and keep waiting. */
const READY_NOTICE_MS = 60_000;

// DOCUVAULT_DATA_DIR moves the embedded services' data (tests use a temp dir).
const root = process.env.DOCUVAULT_DATA_DIR ?? join(import.meta.dirname, '..', '..', '..', '..', '.data');
// Our parent may be gone with the pipe we write to: that must not stop the stop.
process.stdout.on('error', () => undefined);
const say = (line: string) => process.stdout.write(`[docuvault] ${line}\n`);

let supervisor: Supervisor | undefined;
let stopping = false;
say('starting dependencies (PostgreSQL, Redis, S3) where none is configured…');
const dependencies = provideDependencies(root, process.env);

function stop(code: number, reason: string): void {
  if (stopping) return;
  stopping = true;
  say(`${reason}: stopping everything…`);
  void (async () => {
    await supervisor?.stop(SERVICE_GRACE_MS);
    await (await dependencies.catch(() => undefined))?.stop();
    say('stopped');
    process.exit(code);
  })();
}
onStopRequest((reason) => stop(0, reason));

await main().catch((error: unknown) => stop(1, error instanceof Error ? error.message : String(error)));

async function main(): Promise<void> {
  const started = await dependencies.catch((error: unknown) => {
    say(`could not start dependencies: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
  if (stopping) return;
  for (const line of started.started) say(`  ${line}`);
  for (const warning of [...started.warnings, ...missingOcrTools(process.env.PATH ?? '', process.env.OCR)]) {
    warning.split('\n').forEach((line, i) => say(i === 0 ? `warning: ${line}` : `  ${line}`));
  }
  const env: NodeJS.ProcessEnv = { WORKER_SHUTDOWN_GRACE_MS, ...started.env, ...process.env };
  const ports = loadConfig('npm start', portSettings, env);

  const migrateUrl = env.DATABASE_MIGRATE_URL;
  if (!migrateUrl) throw new Error('DATABASE_MIGRATE_URL must be set when DATABASE_URL is');
  const result = await migrateUp(migrateUrl);
  say(`migrations: ${result.applied.length} applied, database up to date`);
  if (stopping) return;

  supervisor = superviseServices(env, ports);
  supervisor.start();
  if (!(await gatewayReady(readyUrl(ports.HOST, ports.GATEWAY_PORT)))) return;
  const host = ['0.0.0.0', '::'].includes(ports.HOST) ? 'localhost' : probeHost(ports.HOST);
  const url = `http://${host}:${ports.GATEWAY_PORT}/graphql`;
  say(`ready: ${url}  (Ctrl-C stops everything)`);
  if (!['true', '1'].includes(env.ALLOW_ANONYMOUS ?? '')) say(registrationHint(url));
}

type Ports = ReturnType<typeof loadConfig<typeof portSettings>>;

function readyUrl(host: string, port: number): string {
  return `http://${probeHost(host)}:${port}/health/ready`;
}

/** Every service under a supervisor that says when a restarted one is ready again. */
function superviseServices(env: NodeJS.ProcessEnv, ports: Ports): Supervisor {
  const restarts = new Map<string, number>();
  const announceReady = async (name: string, port: number, exitedAt: number) => {
    const restart = (restarts.get(name) ?? 0) + 1;
    restarts.set(name, restart);
    try {
      // A newer restart of the same service takes over the announcement.
      await waitForReady(
        readyUrl(ports.HOST, port),
        120_000,
        () => stopping || restarts.get(name) !== restart,
      );
      say(`${name} is ready again, ${((performance.now() - exitedAt) / 1000).toFixed(1)} s after it exited`);
    } catch (error) {
      if (!(error instanceof GaveUp)) say(`${name} restarted but is not ready: ${(error as Error).message}`);
    }
  };
  return new Supervisor(
    SERVICES.map((service) => ({ name: service.name, spawn: () => spawnService(service, env) })),
    {
      log: say,
      onGiveUp: (name) => stop(1, `${name} keeps failing at start (its own output above says why)`),
      onRestart: (name, exitedAt) => {
        const service = SERVICES.find((s) => s.name === name)!;
        void announceReady(name, ports[service.port], exitedAt);
      },
    },
  );
}

/** Waits for the gateway, saying every minute what it answers; false when stopping. */
async function gatewayReady(url: string): Promise<boolean> {
  for (;;) {
    try {
      await waitForReady(url, READY_NOTICE_MS, () => stopping);
      return true;
    } catch (error) {
      if (error instanceof GaveUp) return false;
      say(`not ready yet: ${(error as Error).message}; still waiting (Ctrl-C stops everything)`);
    }
  }
}

/** Sign-in is required by default: how to make the first account, which becomes the administrator. */
function registrationHint(url: string): string {
  const register =
    '{"query":"mutation { register(email: \\"you@example.com\\", password: \\"a long passphrase\\") { accessToken } }"}';
  return [
    'accounts: every request needs a signed-in user (ALLOW_ANONYMOUS=true turns that off).',
    '  The first account registered becomes the administrator:',
    `  curl -s ${url} -H 'content-type: application/json' -d '${register}'`,
  ].join('\n');
}
