import { Client, type ClientOptions, type PostPolicy } from 'minio';
import { ensureAbortIncompleteRule, type LifecycleOutcome } from './lifecycle.ts';

export interface ObjectStoreConfig {
  MINIO_ENDPOINT: string;
  MINIO_ROOT_USER: string;
  MINIO_ROOT_PASSWORD: string;
  MINIO_BUCKET: string;
  MINIO_REGION: string;
  /** The store as clients reach it; presigned URLs are signed for this host. */
  MINIO_PUBLIC_ENDPOINT?: string | undefined;
}

export interface ObjectStore {
  readonly client: Client;
  readonly bucket: string;
}

function clientOptions(config: ObjectStoreConfig, endpointUrl: string): ClientOptions {
  const endpoint = new URL(endpointUrl);
  const useSSL = endpoint.protocol === 'https:';
  return {
    endPoint: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.MINIO_ROOT_USER,
    secretKey: config.MINIO_ROOT_PASSWORD,
    // Pinned: without it a presign first asks the server for the bucket's location,
    // which the public endpoint may not answer from inside the network.
    region: config.MINIO_REGION,
    pathStyle: true,
  };
}

/**
 * A client that talks to the store at its internal address but signs presigned
 * requests (GET/PUT URLs, POST policies) for the public one. The host is part of a
 * SigV4 signature, so a URL signed for `minio:9000` cannot be rewritten for clients.
 * minio's presign functions only compute (region pinned, static keys): the public
 * client never opens a connection. Every presign of minio goes through these two.
 */
class PublicPresigningClient extends Client {
  readonly #signer: Client;

  constructor(options: ClientOptions, signer: Client) {
    super(options);
    this.#signer = signer;
  }

  override presignedUrl(...args: Parameters<Client['presignedUrl']>): ReturnType<Client['presignedUrl']> {
    return this.#signer.presignedUrl(...args);
  }

  override presignedPostPolicy(policy: PostPolicy): ReturnType<Client['presignedPostPolicy']> {
    return this.#signer.presignedPostPolicy(policy);
  }
}

/**
 * An S3 client (MinIO in production, Ceph RGW in tests) bound to our bucket. With
 * MINIO_PUBLIC_ENDPOINT set, what it presigns names that endpoint (see above).
 */
export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  const options = clientOptions(config, config.MINIO_ENDPOINT);
  const client = config.MINIO_PUBLIC_ENDPOINT
    ? new PublicPresigningClient(options, new Client(clientOptions(config, config.MINIO_PUBLIC_ENDPOINT)))
    : new Client(options);
  return { client, bucket: config.MINIO_BUCKET };
}

/**
 * Creates the bucket when missing and makes sure it has no bucket policy:
 * documents are only ever reachable through presigned URLs. With
 * `abortIncompleteAfterDays`, also a lifecycle rule aborting multipart uploads left
 * unfinished that long, where the store supports lifecycle rules (answers whether it did).
 */
export async function ensurePrivateBucket(
  store: ObjectStore,
  region: string,
  options: { abortIncompleteAfterDays?: number } = {},
): Promise<{ lifecycle: LifecycleOutcome | 'not-asked' }> {
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
  if (options.abortIncompleteAfterDays === undefined) return { lifecycle: 'not-asked' };
  return { lifecycle: await ensureAbortIncompleteRule(store, options.abortIncompleteAfterDays) };
}

/** Readiness probe: the bucket answers. */
export async function checkBucket(store: ObjectStore): Promise<void> {
  if (!(await store.client.bucketExists(store.bucket)))
    throw new Error(`bucket ${store.bucket} does not exist`);
}
