import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'minio';
import { freePort } from '@docuvault/local-stack/free-port';

// The S3 server docker-compose.yml runs is docker/s3/ceph-rgw.sh on Debian 12's Ceph
// packages, the ones this machine runs the suite with. No Docker engine here, so the
// script runs as a process, not in its image. What compose depends on: the S3 user has
// the configured keys and only those, objects are on disk (a killed server loses nothing
// it acknowledged, unlike the tests' memstore cluster), a restart reuses the cluster,
// and SIGTERM stops every daemon. docs/adr/0003-s3-server.md says what this leaves out.

const script = join(import.meta.dirname, '..', '..', 'docker', 's3', 'ceph-rgw.sh');
const dataDir = mkdtempSync(join(tmpdir(), 'docuvault-compose-s3-'));
const SECRET = 'compose-s3-secret-key';
let ports: { s3: number; mon: number };
let server: ChildProcess | undefined;
let exited: Promise<number | null> = Promise.resolve(null);

function start(accessKey: string): void {
  const child = spawn('bash', [script], {
    env: {
      PATH: process.env.PATH,
      S3_ACCESS_KEY: accessKey,
      S3_SECRET_KEY: SECRET,
      CEPH_DATA_DIR: dataDir,
      S3_BIND: `127.0.0.1:${ports.s3}`,
      CEPH_MON_PORT: String(ports.mon),
      S3_STORE_GIB: '4',
    },
    // Its own process group, so that a crash can take down every daemon at once.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.resume();
  server = child;
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function untilServing(): Promise<void> {
  const pid = String(server!.pid);
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    let ready = '';
    try {
      ready = readFileSync(join(dataDir, 'run', 'ready'), 'utf8').trim();
    } catch {
      // not yet
    }
    if (ready === pid) {
      const answer = await fetch(`http://127.0.0.1:${ports.s3}/`).catch(() => undefined);
      if (answer?.status === 200) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the compose S3 server did not start within 150 s');
}

async function stop(signal: NodeJS.Signals): Promise<number | null> {
  const pid = server!.pid!;
  if (signal === 'SIGKILL') process.kill(-pid, 'SIGKILL');
  else process.kill(pid, signal);
  return exited;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** False once every process of the group is gone (killed daemons are reaped a moment later). */
async function groupGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && groupAlive(pid); i += 1) await new Promise((r) => setTimeout(r, 100));
  return !groupAlive(pid);
}

const client = (accessKey: string) =>
  new Client({
    endPoint: '127.0.0.1',
    port: ports.s3,
    useSSL: false,
    accessKey,
    secretKey: SECRET,
    region: 'us-east-1',
  });

async function read(c: Client, bucket: string, key: string): Promise<string> {
  let text = '';
  for await (const chunk of await c.getObject(bucket, key)) text += String(chunk);
  return text;
}

beforeAll(async () => {
  ports = { s3: await freePort(), mon: await freePort() };
});

afterAll(() => {
  if (server?.pid && groupAlive(server.pid)) process.kill(-server.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the S3 server docker compose runs (docker/s3/ceph-rgw.sh)', () => {
  it('keeps objects across a crash, serves only the configured keys, and stops on SIGTERM', async () => {
    start('compose-s3-key-one');
    await untilServing();
    const first = client('compose-s3-key-one');
    await first.makeBucket('kept', 'us-east-1');
    await first.putObject('kept', 'note.txt', Buffer.from('acknowledged, so kept'));

    // A crash: every daemon killed at once, nothing flushed on the way out.
    const crashed = server!.pid!;
    await stop('SIGKILL');
    expect(await groupGone(crashed)).toBe(true);
    start('compose-s3-key-one');
    await untilServing();
    expect(await read(first, 'kept', 'note.txt')).toBe('acknowledged, so kept');

    // A clean stop, and the keys changed in .env: the new ones work, the old ones no longer.
    const stopped = server!.pid!;
    expect(await stop('SIGTERM')).toBe(0);
    expect(await groupGone(stopped)).toBe(true);
    start('compose-s3-key-two');
    await untilServing();
    expect(await read(client('compose-s3-key-two'), 'kept', 'note.txt')).toBe('acknowledged, so kept');
    await expect(read(first, 'kept', 'note.txt')).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });

    const last = server!.pid!;
    expect(await stop('SIGTERM')).toBe(0);
    expect(await groupGone(last)).toBe(true);
  }, 480_000);
});
