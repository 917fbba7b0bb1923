import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startCephRgw, type LocalS3 } from '@docuvault/local-stack/index';
import { testS3Client } from '../../support/s3.ts';

// The embedded S3 of `npm start` (persistent): its gateway is killed on stop, not asked
// (radosgw takes 5 to 10 s to exit on SIGTERM, and keeps nothing of its own), and the OSD
// waits 1 s, not 5, for a monitor that may be gone. The objects it answered for are still
// there after a stop and a start. (How fast everything stops: test/e2e/launcher/signals.test.ts.)

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let body = '';
  for await (const chunk of stream) body += String(chunk);
  return body;
}

describe('local stack: stopping the embedded S3', () => {
  let root: string | undefined;
  let running: LocalS3 | undefined;

  afterAll(async () => {
    await running?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('keeps what it stored for the next start, its gateway killed', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'docuvault-ceph-stop-'));
    const dataDir = path.join(root, 'ceph');
    running = await startCephRgw({ dataDir, persistent: true, memstoreBytes: 256 * 1024 ** 2 });
    await testS3Client(running).makeBucket('kept', running.region);
    await testS3Client(running).putObject('kept', 'letter.txt', Buffer.from('written before the stop'));

    await running.stop();
    running = undefined;

    running = await startCephRgw({ dataDir, persistent: true, memstoreBytes: 256 * 1024 ** 2 });
    expect(await text(await testS3Client(running).getObject('kept', 'letter.txt'))).toBe(
      'written before the stop',
    );
  }, 180_000);
});
