import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, storageEnv } from '@docuvault/shared/config/index';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore, type ObjectStore } from '@docuvault/shared/object-store/client';
import { createGetPresigner, type GetPresigner } from '@docuvault/shared/object-store/presign-get';
import { presignDownload } from '@docuvault/storage/downloads/downloads.service';
import { createStorageSubgraph } from '@docuvault/storage/storage-subgraph';
import { createTestBucket, testS3, type TestBucket } from '../../support/s3.ts';
import { referencePresign } from '../../support/sigv4-reference.ts';

const FILENAME = 'Rechnung März "final".pdf';
const CONTENT = Buffer.from('%PDF-1.4\n% a tiny stand-in body for download tests\n');

describe('storage subgraph downloads', () => {
  const s3 = testS3();
  let bucket: TestBucket;
  let store: ObjectStore;
  let presigner: GetPresigner;
  let server: RunningServer;
  const objectKey = `_anonymous/${randomUUID()}/${randomUUID()}.pdf`;

  beforeAll(async () => {
    bucket = await createTestBucket('downloads');
    const config = loadConfig('storage', storageEnv, {
      // Called directly, not through a gateway: no signatures (as NODE_ENV=test means).
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
      REDIS_URL: 'redis://127.0.0.1:1',
      MINIO_ENDPOINT: s3.endpoint,
      MINIO_ROOT_USER: s3.accessKey,
      MINIO_ROOT_PASSWORD: s3.secretKey,
      MINIO_REGION: s3.region,
      MINIO_BUCKET: bucket.bucket,
      SECRET_KEY: 'x'.repeat(32),
    });
    store = createObjectStore(config);
    presigner = createGetPresigner(config);
    await store.client.putObject(bucket.bucket, objectKey, CONTENT, CONTENT.length, {
      'Content-Type': 'application/octet-stream',
    });
    const subgraph = await createStorageSubgraph({
      config,
      logger: createLogger('storage', 'silent'),
      store,
    });
    server = await subgraph.listen('127.0.0.1', 0);
  });

  afterAll(async () => {
    await server?.close();
    await bucket?.cleanup();
  });

  /** As the gateway calls it: an `_entities` fetch with the fields @requires brings from documents. */
  async function entity(selection: string, representation: Record<string, string> = {}) {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Document { ${selection} } } }`,
        variables: {
          r: [
            {
              __typename: 'Document',
              id: randomUUID(),
              objectKey,
              originalFilename: FILENAME,
              mimeType: 'application/pdf',
              ...representation,
            },
          ],
        },
      }),
    });
    return (await response.json()) as {
      data?: { _entities: Record<string, unknown>[] };
      errors?: { extensions: { code: string } }[];
    };
  }

  async function downloadUrl(args = 'expiresIn: 120'): Promise<{ url: string; expiresAt: string }> {
    const body = await entity(`download(${args}) { url expiresAt }`);
    expect(body.errors).toBeUndefined();
    return body.data!._entities[0]!.download as { url: string; expiresAt: string };
  }

  it('serves the bytes with the original filename intact in Content-Disposition', async () => {
    const { url, expiresAt } = await downloadUrl();
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(100_000);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(CONTENT);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const disposition = response.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment;/);
    const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
    expect(decodeURIComponent(encoded!)).toBe(FILENAME);
  });

  it('offers inline disposition when asked', async () => {
    const { url } = await downloadUrl('disposition: INLINE, expiresIn: 60');
    const response = await fetch(url);
    await response.arrayBuffer();
    expect(response.headers.get('content-disposition')).toMatch(/^inline;/);
  });

  it('signs exactly as AWS SigV4 does (recomputed with @smithy/signature-v4)', async () => {
    const { url } = await downloadUrl('expiresIn: 300');
    const parsed = new URL(url);
    const params = Object.fromEntries(parsed.searchParams);
    expect(params['X-Amz-Algorithm']).toBe('AWS4-HMAC-SHA256');
    expect(params['X-Amz-Expires']).toBe('300');
    const amzDate = params['X-Amz-Date']!;
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const reference = await referencePresign(parsed, s3, {
      signingDate,
      expiresIn: 300,
      query: {
        'response-content-disposition': params['response-content-disposition']!,
        'response-content-type': params['response-content-type']!,
      },
    });
    expect(reference.signature).toBe(params['X-Amz-Signature']);
    expect(reference.credential).toBe(params['X-Amz-Credential']);
  });

  it('is refused by the store when its signature, key or response headers are tampered with', async () => {
    const { url } = await downloadUrl();
    const signature = new URL(url).searchParams.get('X-Amz-Signature')!;
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
    const tampered = [
      url.replace(signature, flipped),
      url.replace(objectKey.split('/').at(-1)!, `${randomUUID()}.pdf`),
      url.replace('response-content-type=application%2Fpdf', 'response-content-type=text%2Fhtml'),
    ];
    for (const candidate of tampered) {
      expect(candidate).not.toBe(url);
      const response = await fetch(candidate);
      await response.arrayBuffer();
      expect(response.status).toBe(403);
    }
  });

  it('is refused by the store once it has expired', async () => {
    const anHourAgo = new Date(Date.now() - 3_600_000);
    const { url, expiresAt } = presignDownload(
      presigner,
      {
        objectKey,
        originalFilename: FILENAME,
        mimeType: 'application/pdf',
        disposition: 'ATTACHMENT',
        expiresIn: 60,
      },
      anHourAgo,
    );
    expect(expiresAt.getTime()).toBeLessThan(Date.now());
    const response = await fetch(url);
    await response.arrayBuffer();
    expect(response.status).toBe(403);
  });

  it('rejects lifetimes outside 1 s to 7 days with BAD_USER_INPUT', async () => {
    for (const expiresIn of [0, -5, 604_801]) {
      const body = await entity(`download(expiresIn: ${expiresIn}) { url }`);
      expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('reports the stored object, or null when it is missing', async () => {
    const present = await entity('object { sizeBytes etag lastModified }');
    expect(present.data!._entities[0]!.object).toMatchObject({ sizeBytes: CONTENT.length });
    const missing = await entity('object { sizeBytes }', {
      objectKey: `_anonymous/${randomUUID()}/gone.pdf`,
    });
    expect(missing.data!._entities[0]!.object).toBeNull();
  });

  it('tells which build it runs on /health/version', async () => {
    const response = await fetch(`${server.url}/health/version`);
    expect(await response.json()).toMatchObject({ service: 'storage', node: process.version });
  });
});
