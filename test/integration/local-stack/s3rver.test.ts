import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'minio';
import type { LocalS3 } from '@docuvault/local-stack/ceph-rgw';
import { isPortFree } from '@docuvault/local-stack/free-port';
import { startS3rver } from '@docuvault/local-stack/s3rver';
import {
  checkBucket,
  createObjectStore,
  ensurePrivateBucket,
  type ObjectStore,
} from '@docuvault/shared/object-store/client';

// s3rver is `npm start`'s stand-in S3 when Ceph is not installed. Its own
// server, not the harness's: what the launcher needs of it, and the limits its
// warning names (so the warning is changed when they change).

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('local stack: s3rver', () => {
  let dir: string;
  let s3: LocalS3;
  let store: ObjectStore;
  let stopped = false;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'docuvault-s3rver-'));
    s3 = await startS3rver({
      dataDir: path.join(dir, 's3rver'),
      accessKey: 'test-key',
      secretKey: 'test-secret',
    });
    store = createObjectStore({
      MINIO_ENDPOINT: s3.endpoint,
      MINIO_ROOT_USER: s3.accessKey,
      MINIO_ROOT_PASSWORD: s3.secretKey,
      MINIO_BUCKET: 'docuvault',
      MINIO_REGION: s3.region,
    });
  });

  afterAll(async () => {
    if (!stopped) await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 with the keys it was given', () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s3).toMatchObject({ accessKey: 'test-key', secretKey: 'test-secret', region: 'us-east-1' });
  });

  it('lets the bucket bootstrap create a private bucket, twice (as every restart does)', async () => {
    await ensurePrivateBucket(store, s3.region);
    await ensurePrivateBucket(store, s3.region);
    await expect(checkBucket(store)).resolves.toBeUndefined();
  });

  it('round-trips an object and serves a presigned GET', async () => {
    const body = Buffer.from(`hello ${randomBytes(8).toString('hex')}`);
    await store.client.putObject(store.bucket, 'dir/hello.txt', body, body.length, {
      'Content-Type': 'text/plain',
    });
    expect(await readAll(await store.client.getObject(store.bucket, 'dir/hello.txt'))).toEqual(body);
    expect((await store.client.statObject(store.bucket, 'dir/hello.txt')).metaData['content-type']).toBe(
      'text/plain',
    );

    const url = await store.client.presignedGetObject(store.bucket, 'dir/hello.txt', 60);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
  });

  it('refuses requests signed with a wrong secret or its well-known default key', async () => {
    const signedWith = (accessKey: string, secretKey: string) =>
      createObjectStore({
        MINIO_ENDPOINT: s3.endpoint,
        MINIO_ROOT_USER: accessKey,
        MINIO_ROOT_PASSWORD: secretKey,
        MINIO_BUCKET: 'docuvault',
        MINIO_REGION: s3.region,
      }).client.listBuckets();
    await expect(signedWith(s3.accessKey, 'wrong')).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    await expect(signedWith('S3RVER', 'S3RVER')).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
  });

  describe('the limits the launcher warns about', () => {
    it('stores a presigned POST that breaks its size range', async () => {
      const policy = store.client.newPostPolicy();
      policy.setBucket(store.bucket);
      policy.setKey('posted/too-big.bin');
      policy.setExpires(new Date(Date.now() + 60_000));
      policy.setContentLengthRange(1, 16);
      const { postURL, formData } = await store.client.presignedPostPolicy(policy);
      const form = new FormData();
      for (const [name, value] of Object.entries(formData)) form.append(name, value);
      form.append('file', new Blob([randomBytes(1024)]), 'upload.bin');
      expect((await fetch(postURL, { method: 'POST', body: form })).ok).toBe(true);
      expect((await store.client.statObject(store.bucket, 'posted/too-big.bin')).size).toBe(1024);
    });

    it("fails the minio client's multipart putObject", async () => {
      // 5 MiB parts (the least S3 allows) show with 6 MiB what 64 MiB parts show with 65.
      const url = new URL(s3.endpoint);
      const smallParts = new Client({
        endPoint: url.hostname,
        port: Number(url.port),
        useSSL: false,
        accessKey: s3.accessKey,
        secretKey: s3.secretKey,
        region: s3.region,
        partSize: 5 * 1024 * 1024,
      });
      const body = randomBytes(6 * 1024 * 1024);
      // S3's own error code, as s3rver answers a multipart listing it cannot do.
      await expect(smallParts.putObject(store.bucket, 'big.bin', body, body.length)).rejects.toMatchObject({
        code: 'NotImplemented',
      });
    });

    it('serves unsigned requests', async () => {
      const unsigned = await fetch(`${s3.endpoint}/${store.bucket}/dir/hello.txt`);
      expect(unsigned.status).toBe(200);
    });
  });

  it('stops: the port is closed afterwards', async () => {
    const port = Number(new URL(s3.endpoint).port);
    await s3.stop();
    stopped = true;
    expect(await isPortFree(port)).toBe(true);
    await expect(fetch(s3.endpoint)).rejects.toThrow();
  });
});
