import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pausedText, until, upload, uploadedId, type GraphQLError } from './support/clients.ts';
import { sharedServices, shortTimeouts, startFaultStack, type FaultStack } from './support/fault-stack.ts';
import { startOwnS3, type OwnS3 } from './support/services.ts';

// The object store hanging (radosgw frozen with SIGSTOP) or killed (SIGKILL) during an
// upload, on a Ceph cluster of the scenario's own. The upload answers SERVICE_UNAVAILABLE
// within its timeouts and nothing is recorded or charged.

let s3: OwnS3;
let stack: FaultStack;

/** S3_IDLE_TIMEOUT_MS 3 s and S3_REQUEST_TIMEOUT_MS 8 s, each for the write and then its cleanup. */
const ANSWER_WITHIN_MS = 20_000;

beforeAll(async () => {
  s3 = await startOwnS3('s3-outage');
  stack = await startFaultStack(
    'fault-s3-outage',
    { ...sharedServices(), s3, s3Disposable: true },
    shortTimeouts.objectStore,
  );
});

afterAll(async () => {
  s3?.thawGateway();
  await stack?.close();
  await s3?.stop();
});

function errorCode(errors: unknown): string | undefined {
  return (errors as GraphQLError[] | undefined)?.[0]?.extensions?.code;
}

describe('the object store failing during an upload', () => {
  it('hanging: the upload answers SERVICE_UNAVAILABLE within its timeouts and records nothing', async () => {
    s3.freezeGateway();
    let timed;
    try {
      timed = await upload(stack, { filename: 'hung.txt', content: 'sent while S3 hangs\n' });
    } finally {
      s3.thawGateway();
    }
    process.stderr.write(`S3 hang: upload answered in ${Math.round(timed.ms)} ms\n`);
    expect(timed.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(uploadedId(timed)).toBeUndefined();
    expect(errorCode(timed.result?.body.errors)).toBe('SERVICE_UNAVAILABLE');
    // radosgw completes the PUT it still held once it resumes, after our removal had timed
    // out: the removal is retried in the background until that object is gone too.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const settled = await until(
      'the late object removed',
      () => stack.counts(),
      (c) => c.objects === 0,
      20_000,
    );
    expect(settled).toEqual({ rows: 0, objects: 0, incompleteUploads: 0, chargedBytes: 0, storedBytes: 0 });

    const after = await upload(stack, { filename: 'after-hang.txt', content: 'stored once S3 answers\n' });
    expect(uploadedId(after)).toBeDefined();
    await until(
      'the stored upload alone',
      () => stack.counts(),
      (c) => c.objects === c.rows,
    );
  });

  it('killed mid-upload: no row, no quota charged, no object, no incomplete upload after the sweep', async () => {
    const before = await stack.counts();
    let go!: () => void;
    const killed = new Promise<void>((resolve) => (go = resolve));
    const pending = upload(stack, {
      filename: 'big.txt',
      content: pausedText(12 * 1024 * 1024, 8 * 1024 * 1024, killed),
    });
    await until(
      'a multipart upload under way',
      () => stack.counts(),
      (c) => c.incompleteUploads > 0,
    );
    await s3.killGateway();
    go();
    const timed = await pending;
    process.stderr.write(`S3 killed: upload answered in ${Math.round(timed.ms)} ms\n`);
    expect(uploadedId(timed)).toBeUndefined();
    expect(errorCode(timed.result?.body.errors)).toBe('SERVICE_UNAVAILABLE');

    await s3.restartGateway();
    // The multipart upload the dead store could not abort stays until the sweeper's turn.
    await stack.sweepIncompleteUploadsLater();
    const after = await stack.counts();
    expect(after).toEqual({ ...before, incompleteUploads: 0 });
    expect(after.storedBytes).toBe(after.chargedBytes);
  });
});
