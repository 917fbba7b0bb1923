import { randomBytes } from 'node:crypto';
import { Client } from 'minio';

export interface TestS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
}

export interface TestBucket {
  bucket: string;
  client: Client;
  /** Removes every object, any unfinished multipart upload, then the bucket. */
  cleanup(): Promise<void>;
}

/** The harness's S3 server (TEST_S3_*, set by the jest globalSetup or by you). */
export function testS3(): TestS3 {
  const { TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY, TEST_S3_SECRET_KEY, TEST_S3_REGION } = process.env;
  if (!TEST_S3_ENDPOINT || !TEST_S3_ACCESS_KEY || !TEST_S3_SECRET_KEY) {
    throw new Error(
      'TEST_S3_ENDPOINT/TEST_S3_ACCESS_KEY/TEST_S3_SECRET_KEY are not set (the jest globalSetup provides them)',
    );
  }
  return {
    endpoint: TEST_S3_ENDPOINT,
    accessKey: TEST_S3_ACCESS_KEY,
    secretKey: TEST_S3_SECRET_KEY,
    region: TEST_S3_REGION || 'us-east-1',
  };
}

/** A minio client for the harness's S3 server (path-style, region pinned: no location lookups). */
export function testS3Client(s3: TestS3 = testS3()): Client {
  const url = new URL(s3.endpoint);
  const useSSL = url.protocol === 'https:';
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: s3.region,
    pathStyle: true,
  });
}

/** Creates a bucket no other test uses; `label` only makes leftovers recognisable. */
export async function createTestBucket(label: string): Promise<TestBucket> {
  const s3 = testS3();
  const client = testS3Client(s3);
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const bucket = `t-${slug || 'test'}-${randomBytes(6).toString('hex')}`;
  await client.makeBucket(bucket, s3.region);
  return {
    bucket,
    client,
    cleanup: async () => {
      const names: string[] = [];
      for await (const item of client.listObjectsV2(bucket, '', true)) {
        if (item.name) names.push(item.name);
      }
      for (let i = 0; i < names.length; i += 1000)
        await client.removeObjects(bucket, names.slice(i, i + 1000));
      const pending: string[] = [];
      for await (const upload of client.listIncompleteUploads(bucket, '', true)) pending.push(upload.key);
      for (const key of new Set(pending)) await client.removeIncompleteUpload(bucket, key);
      await client.removeBucket(bucket);
    },
  };
}
