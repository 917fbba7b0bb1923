// `npm start`: the whole system on one machine, zero configuration.
// Any variable that is set wins over its embedded default.
import { join } from 'node:path';
import { migrateUp } from '../migrations/index.ts';
import { provideDependencies } from './dependencies.ts';
import { SERVICES, startService, stopServices, waitForReady, type ServiceProcess } from './processes.ts';

// DOCUVAULT_DATA_DIR moves the embedded services' data (tests use a temp dir).
const root = process.env.DOCUVAULT_DATA_DIR ?? join(import.meta.dirname, '..', '..', '..', '.data');
const say = (line: string) => process.stdout.write(`[docuvault] ${line}\n`);

say('starting dependencies (PostgreSQL, Redis, S3) where none is configured…');
const dependencies = await provideDependencies(root, process.env).catch((error: unknown) => {
  say(`could not start dependencies: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
for (const line of dependencies.started) say(`  ${line}`);
for (const warning of dependencies.warnings) {
  warning.split('\n').forEach((line, i) => say(i === 0 ? `warning: ${line}` : `  ${line}`));
}

const env: NodeJS.ProcessEnv = { ...dependencies.env, ...process.env };
let services: ServiceProcess[] = [];
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await stopServices(services);
  await dependencies.stop();
  process.exit(code);
};
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

try {
  const migrateUrl = env.DATABASE_MIGRATE_URL;
  if (!migrateUrl) throw new Error('DATABASE_MIGRATE_URL must be set when DATABASE_URL is');
  const result = await migrateUp(migrateUrl);
  say(`migrations: ${result.applied.length} applied, database up to date`);

  services = SERVICES.map((service) => startService(service, env));
  for (const service of services) {
    void service.exited.then((code) => {
      if (!stopping) {
        say(`${service.name} exited (${code}); stopping everything`);
        void shutdown(1);
      }
    });
  }
  const port = env.GATEWAY_PORT ?? '4000';
  const host = env.HOST ?? '127.0.0.1';
  await waitForReady(`http://${host}:${port}/health/ready`, 60_000, () => stopping);
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/graphql`;
  say(`ready: ${url}  (Ctrl-C stops everything)`);
  if (!['true', '1'].includes(env.ALLOW_ANONYMOUS ?? '')) say(registrationHint(url));
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  await shutdown(1);
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
