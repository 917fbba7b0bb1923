import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestBucket } from '../../support/s3.ts';
import type { TestBucket } from '../../support/s3.ts';

// Runs against the harness's S3 server (the local Ceph RGW unless
// TEST_S3_ENDPOINT names another): the behaviours the upload paths rely on.

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('local stack: S3', () => {
  let b: TestBucket;

  beforeAll(async () => {
    b = await createTestBucket('local-stack-s3');
  });

  afterAll(async () => {
    await b?.cleanup();
  });

  it('creates a bucket of its own', async () => {
    expect(await b.client.bucketExists(b.bucket)).toBe(true);
    const buckets = await b.client.listBuckets();
    expect(buckets.map((x) => x.name)).toContain(b.bucket);
  });

  it('round-trips an object with its content type', async () => {
    const body = Buffer.from(`hello ${randomBytes(8).toString('hex')}`);
    await b.client.putObject(b.bucket, 'dir/hello.txt', body, body.length, { 'Content-Type': 'text/plain' });
    expect(await readAll(await b.client.getObject(b.bucket, 'dir/hello.txt'))).toEqual(body);
    const stat = await b.client.statObject(b.bucket, 'dir/hello.txt');
    expect(stat.size).toBe(body.length);
    expect(stat.metaData['content-type']).toBe('text/plain');
  });

  it('accepts a presigned PUT and refuses a tampered one', async () => {
    const url = await b.client.presignedPutObject(b.bucket, 'presigned.bin', 60);
    const put = await fetch(url, { method: 'PUT', body: 'via presigned url' });
    expect(put.status).toBe(200);
    const get = await fetch(await b.client.presignedGetObject(b.bucket, 'presigned.bin', 60));
    expect(await get.text()).toBe('via presigned url');

    const badSignature = new URL(url);
    const signature = badSignature.searchParams.get('X-Amz-Signature') ?? '';
    badSignature.searchParams.set(
      'X-Amz-Signature',
      `${signature[0] === '0' ? '1' : '0'}${signature.slice(1)}`,
    );
    expect((await fetch(badSignature, { method: 'PUT', body: 'forged' })).status).toBe(403);
    const otherKey = url.replace('/presigned.bin?', '/elsewhere.bin?');
    expect((await fetch(otherKey, { method: 'PUT', body: 'forged' })).status).toBe(403);
    await expect(b.client.statObject(b.bucket, 'elsewhere.bin')).rejects.toThrow();
  });

  it('takes a presigned POST upload within its policy and refuses one over content-length-range', async () => {
    const post = async (key: string, body: Buffer) => {
      const policy = b.client.newPostPolicy();
      policy.setBucket(b.bucket);
      policy.setKey(key);
      policy.setExpires(new Date(Date.now() + 60_000));
      policy.setContentType('application/octet-stream');
      policy.setContentLengthRange(1, 1024);
      const { postURL, formData } = await b.client.presignedPostPolicy(policy);
      const form = new FormData();
      for (const [name, value] of Object.entries(formData)) form.append(name, value);
      form.append('file', new Blob([body], { type: 'application/octet-stream' }), 'upload.bin');
      return fetch(postURL, { method: 'POST', body: form });
    };

    const small = randomBytes(512);
    const ok = await post('posted/ok.bin', small);
    expect(ok.status).toBeGreaterThanOrEqual(200);
    expect(ok.status).toBeLessThan(300);
    expect(await readAll(await b.client.getObject(b.bucket, 'posted/ok.bin'))).toEqual(small);

    const tooBig = await post('posted/too-big.bin', randomBytes(4096));
    expect(tooBig.status).toBeGreaterThanOrEqual(400);
    expect(tooBig.status).toBeLessThan(500);
    expect(await tooBig.text()).toMatch(/EntityTooLarge|content-length/i);
    await expect(b.client.statObject(b.bucket, 'posted/too-big.bin')).rejects.toThrow();
  });

  it('uploads a ~70 MB stream in several parts (multipart) with the same SHA-256', async () => {
    const size = 70 * 1024 * 1024;
    const chunk = 1024 * 1024;
    const sent = createHash('sha256');
    const source = Readable.from(
      (function* () {
        for (let offset = 0; offset < size; offset += chunk) {
          const bytes = randomBytes(Math.min(chunk, size - offset));
          sent.update(bytes);
          yield bytes;
        }
      })(),
    );
    // A known size of 70 MB makes the client use 64 MB parts: two of them.
    const info = await b.client.putObject(b.bucket, 'big/70mb.bin', source, size);
    const stat = await b.client.statObject(b.bucket, 'big/70mb.bin');
    expect(stat.size).toBe(size);
    expect(`${info.etag}|${stat.etag}`).toMatch(/-2(\||$)/);

    const received = createHash('sha256');
    let receivedBytes = 0;
    for await (const part of await b.client.getObject(b.bucket, 'big/70mb.bin')) {
      received.update(part as Buffer);
      receivedBytes += (part as Buffer).length;
    }
    expect(receivedBytes).toBe(size);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
  });
});
