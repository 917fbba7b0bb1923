// `node bench/migrations.ts`: wall time of `npm run migrate -- up` on an empty database and
// of `npm run migrate -- status` on an up-to-date one, each as its own process (as an
// operator or a deploy script runs them), median of BENCH_RUNS runs (default 5).
// Needs a superuser URL to provision throw-away databases: BENCH_ADMIN_DATABASE_URL, or
// TEST_DATABASE_URL as set by /work/stack/env.sh or the test harness. BENCH_MIGRATE_CLI
// times another copy of the CLI (e.g. an older revision's) against the same databases.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { provisionDatabase } from '../shared/src/db/roles.ts';

const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!adminUrl) throw new Error('set BENCH_ADMIN_DATABASE_URL (a superuser URL)');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const repoRoot = path.resolve(import.meta.dirname, '..');
const cliPath = process.env.BENCH_MIGRATE_CLI ?? 'shared/src/migrations/cli.ts';

function timeCli(args: string[], url: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, DATABASE_MIGRATE_URL: url, NODE_ENV: 'development' },
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`migrate ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `dvbench_${randomBytes(5).toString('hex')}`;
  const { ownerUrl } = await provisionDatabase(adminUrl!, {
    database: name,
    ownerRole: `${name}_owner`,
    ownerPassword: randomBytes(12).toString('hex'),
    appRole: `${name}_app`,
    appPassword: randomBytes(12).toString('hex'),
  });
  const drop = async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      for (const role of [`${name}_app`, `${name}_owner`])
        await client.query(`drop role if exists ${pg.escapeIdentifier(role)}`);
    } finally {
      await client.end();
    }
  };
  return { url: ownerUrl, drop };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const up: number[] = [];
const status: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const db = await freshDatabase();
  try {
    up.push(timeCli(['up'], db.url));
    status.push(timeCli(['status'], db.url));
  } finally {
    await db.drop();
  }
}
const show = (values: number[]) =>
  `median ${Math.round(median(values))} ms (runs: ${values.map((v) => Math.round(v)).join(', ')})`;
process.stdout.write(`up on an empty database:      ${show(up)}\n`);
process.stdout.write(`status on an up-to-date one:  ${show(status)}\n`);
