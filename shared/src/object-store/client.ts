import { Client } from 'minio';

export interface ObjectStoreConfig {
  MINIO_ENDPOINT: string;
  MINIO_ROOT_USER: string;
  MINIO_ROOT_PASSWORD: string;
  MINIO_BUCKET: string;
  MINIO_REGION: string;
}

export interface ObjectStore {
  readonly client: Client;
  readonly bucket: string;
}

/** An S3 client (MinIO in production, Ceph RGW in tests) bound to our bucket. */
export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  const endpoint = new URL(config.MINIO_ENDPOINT);
  const useSSL = endpoint.protocol === 'https:';
  const client = new Client({
    endPoint: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.MINIO_ROOT_USER,
    secretKey: config.MINIO_ROOT_PASSWORD,
    region: config.MINIO_REGION,
    pathStyle: true,
  });
  return { client, bucket: config.MINIO_BUCKET };
}

/**
 * Creates the bucket when missing and makes sure it has no bucket policy:
 * documents are only ever reachable through presigned URLs.
 */
export async function ensurePrivateBucket(store: ObjectStore, region: string): Promise<void> {
  if (!(await store.client.bucketExists(store.bucket))) {
    try {
      await store.client.makeBucket(store.bucket, region);
    } catch (error) {
      // Another replica may have created it between our check and our create.
      const code = (error as { code?: string }).code;
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
    }
  }
  const policy = await store.client.getBucketPolicy(store.bucket).catch((error: { code?: string }) => {
    if (error.code === 'NoSuchBucketPolicy') return '';
    throw error;
  });
  if (policy) await store.client.setBucketPolicy(store.bucket, '');
}

/** Readiness probe: the bucket answers. */
export async function checkBucket(store: ObjectStore): Promise<void> {
  if (!(await store.client.bucketExists(store.bucket)))
    throw new Error(`bucket ${store.bucket} does not exist`);
}
