import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sweepIncompleteUploads } from '@docuvault/documents/uploads/incomplete-uploads-sweep';
import { startSweeper } from '@docuvault/documents/uploads/index';
import { loadConfig, storageEnv } from '@docuvault/shared/config/index';
import { startS3rver } from '@docuvault/local-stack/s3rver';
import { createLogger } from '@docuvault/shared/logging/logger';
import {
  createObjectStore,
  ensurePrivateBucket,
  type ObjectStore,
} from '@docuvault/shared/object-store/client';
import {
  ABORT_INCOMPLETE_RULE_ID,
  ensureAbortIncompleteRule,
} from '@docuvault/shared/object-store/lifecycle';
import { createStorageSubgraph } from '@docuvault/storage/storage-subgraph';
import type { LifecycleRule } from 'minio';
import { createTestBucket, testS3, type TestBucket } from '../../support/s3.ts';
import { eventually } from '../../support/eventually.ts';
import { createDocumentsTestDeps, type DocumentsTestDeps } from '../../support/stacks/index.ts';

// An upload whose store (or process) died mid-way leaves an unfinished multipart upload:
// parts in the bucket that no object listing shows. Against the harness's Ceph: the upload
// sweeper aborts those older than the threshold and leaves younger ones, and bucket
// bootstrap gives the bucket a lifecycle rule doing the same. s3rver has no lifecycle
// rules: bootstrap still succeeds there.

const logger = createLogger('test', 'silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let bucket: TestBucket;
let store: ObjectStore;

beforeAll(async () => {
  bucket = await createTestBucket('incomplete-uploads');
  store = { client: bucket.client, bucket: bucket.bucket };
});

afterAll(async () => {
  await bucket?.cleanup();
});

/** Starts a multipart upload and sends one part, as an upload cut off after its first part. */
async function startUnfinishedUpload(key: string): Promise<string> {
  const uploadID = await store.client.initiateNewMultipartUpload(store.bucket, key, {
    'Content-Type': 'application/pdf',
  });
  await store.client.uploadPart(
    { bucketName: store.bucket, objectName: key, uploadID, partNumber: 1, headers: {} },
    Buffer.alloc(64 * 1024, 7),
  );
  return uploadID;
}

async function unfinishedKeys(): Promise<string[]> {
  const keys: string[] = [];
  const page = await store.client.listIncompleteUploadsQuery(store.bucket, '', '', '', '');
  for (const upload of page.uploads) keys.push(upload.key);
  return keys.sort();
}

async function lifecycleRules(target: ObjectStore = store): Promise<LifecycleRule[]> {
  const config = await target.client.getBucketLifecycle(target.bucket);
  const rules = config?.Rule ?? [];
  return Array.isArray(rules) ? rules : [rules];
}

describe('the upload sweeper and unfinished multipart uploads', () => {
  it('aborts those older than the threshold and keeps the fresh ones', async () => {
    await startUnfinishedUpload('u1/old/a.pdf');
    await startUnfinishedUpload('u2/old/b.pdf');
    await sleep(1_500);
    await startUnfinishedUpload('u1/fresh/c.pdf');
    expect(await unfinishedKeys()).toEqual(['u1/fresh/c.pdf', 'u1/old/a.pdf', 'u2/old/b.pdf']);

    const result = await sweepIncompleteUploads({ store, logger }, { olderThanSeconds: 1 });

    expect(result.aborted.sort()).toEqual(['u1/old/a.pdf', 'u2/old/b.pdf']);
    expect(result.kept).toBe(1);
    expect(await unfinishedKeys()).toEqual(['u1/fresh/c.pdf']);
    // No object appeared from the aborted parts.
    const objects: string[] = [];
    for await (const item of store.client.listObjectsV2(store.bucket, '', true))
      objects.push(item.name ?? '');
    expect(objects).toEqual([]);

    // Threshold 0: everything unfinished goes; a second sweep finds nothing to do.
    expect((await sweepIncompleteUploads({ store, logger }, { olderThanSeconds: 0 })).aborted).toEqual([
      'u1/fresh/c.pdf',
    ]);
    expect(await unfinishedKeys()).toEqual([]);
    expect(await sweepIncompleteUploads({ store, logger }, { olderThanSeconds: 0 })).toEqual({
      aborted: [],
      kept: 0,
    });
  });

  it('reports a store that does not answer, so the periodic sweep retries', async () => {
    const nowhere = createObjectStore({
      MINIO_ENDPOINT: 'http://127.0.0.1:1',
      MINIO_ROOT_USER: 'nobody',
      MINIO_ROOT_PASSWORD: 'nobody-at-all',
      MINIO_BUCKET: store.bucket,
      MINIO_REGION: testS3().region,
    });
    await expect(
      sweepIncompleteUploads({ store: nowhere, logger }, { olderThanSeconds: 0 }),
    ).rejects.toThrow();
  });

  describe('on the sweeper interval', () => {
    let documents: DocumentsTestDeps;
    beforeAll(async () => {
      documents = await createDocumentsTestDeps('incomplete-uploads-interval');
    });
    afterAll(async () => {
      await documents?.close();
    });

    it('aborts them every UPLOAD_SWEEP_INTERVAL_SECONDS when given the store', async () => {
      const { client, bucket: name } = documents.bucket;
      const own: ObjectStore = { client, bucket: name };
      const uploadID = await client.initiateNewMultipartUpload(name, 'u3/doc/left.pdf', {});
      expect(uploadID).not.toBe('');
      const sweeper = startSweeper({
        ...documents.deps,
        store: own,
        config: {
          UPLOAD_SWEEP_AFTER_SECONDS: 300,
          UPLOAD_SWEEP_INTERVAL_SECONDS: 1,
          MULTIPART_ABORT_AFTER_SECONDS: 1,
        },
      });
      try {
        const gone = await eventually(async () => {
          const page = await client.listIncompleteUploadsQuery(name, '', '', '', '');
          return page.uploads.length === 0;
        }, 8_000);
        expect(gone).toBe(true);
      } finally {
        await sweeper.stop();
      }
    });
  });
});

describe('bucket bootstrap and the lifecycle rule', () => {
  it('adds a rule aborting unfinished uploads, once, and keeps the bucket’s other rules', async () => {
    await store.client.setBucketLifecycle(store.bucket, {
      Rule: [{ ID: 'someone-elses', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } }],
    });

    expect(await ensurePrivateBucket(store, testS3().region, { abortIncompleteAfterDays: 2 })).toEqual({
      lifecycle: 'set',
    });
    const rules = await lifecycleRules();
    expect(rules.map((rule) => rule.ID).sort()).toEqual([ABORT_INCOMPLETE_RULE_ID, 'someone-elses'].sort());
    const ours = rules.find((rule) => rule.ID === ABORT_INCOMPLETE_RULE_ID);
    expect(ours?.Status).toBe('Enabled');
    expect(Number(ours?.AbortIncompleteMultipartUpload?.DaysAfterInitiation)).toBe(2);

    // Every restart runs bootstrap again: nothing to change.
    expect(await ensureAbortIncompleteRule(store, 2)).toBe('unchanged');
    // A changed setting replaces the rule rather than adding a second one.
    expect(await ensureAbortIncompleteRule(store, 3)).toBe('set');
    const after = await lifecycleRules();
    expect(after.filter((rule) => rule.ID === ABORT_INCOMPLETE_RULE_ID)).toHaveLength(1);
    expect(
      Number(
        after.find((rule) => rule.ID === ABORT_INCOMPLETE_RULE_ID)?.AbortIncompleteMultipartUpload
          ?.DaysAfterInitiation,
      ),
    ).toBe(3);
  });

  it('is set by the storage subgraph on start, from MULTIPART_ABORT_AFTER_SECONDS in whole days', async () => {
    const own = await createTestBucket('lifecycle-bootstrap');
    try {
      const s3 = testS3();
      const config = loadConfig('storage', storageEnv, {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        SECRET_KEY: 'test-secret-key-that-is-long-enough-0123',
        DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
        REDIS_URL: 'redis://127.0.0.1:1',
        MINIO_ENDPOINT: s3.endpoint,
        MINIO_ROOT_USER: s3.accessKey,
        MINIO_ROOT_PASSWORD: s3.secretKey,
        MINIO_REGION: s3.region,
        MINIO_BUCKET: own.bucket,
        MULTIPART_ABORT_AFTER_SECONDS: String(36 * 3600),
      });
      const target = createObjectStore(config);
      const server = await createStorageSubgraph({ config, logger, store: target });
      const running = await server.listen('127.0.0.1', 0);
      try {
        const ready = await eventually(async () => (await fetch(`${running.url}/health/ready`)).ok, 10_000);
        expect(ready).toBe(true);
        const ours = (await lifecycleRules(target)).find((rule) => rule.ID === ABORT_INCOMPLETE_RULE_ID);
        expect(Number(ours?.AbortIncompleteMultipartUpload?.DaysAfterInitiation)).toBe(2);
      } finally {
        await running.close();
      }
    } finally {
      await own.cleanup();
    }
  });

  it('succeeds on a store without lifecycle rules (s3rver), saying so', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'docuvault-lifecycle-'));
    const s3 = await startS3rver({
      dataDir: path.join(dir, 's3rver'),
      accessKey: 'k-lifecycle',
      secretKey: 's-lifecycle',
    });
    try {
      const local = createObjectStore({
        MINIO_ENDPOINT: s3.endpoint,
        MINIO_ROOT_USER: s3.accessKey,
        MINIO_ROOT_PASSWORD: s3.secretKey,
        MINIO_BUCKET: 'docuvault',
        MINIO_REGION: s3.region,
      });
      expect(await ensurePrivateBucket(local, s3.region, { abortIncompleteAfterDays: 1 })).toEqual({
        lifecycle: 'unsupported',
      });
      expect(await local.client.bucketExists('docuvault')).toBe(true);
    } finally {
      await s3.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
