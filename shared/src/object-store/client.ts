import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';
import { Client, type ClientOptions, type PostPolicy } from 'minio';
import { objectStore } from '../config/env-schema.ts';
import { ensureAbortIncompleteRule, type LifecycleOutcome } from './lifecycle.ts';

export interface ObjectStoreConfig {
  MINIO_ENDPOINT: string;
  MINIO_ROOT_USER: string;
  MINIO_ROOT_PASSWORD: string;
  MINIO_BUCKET: string;
  MINIO_REGION: string;
  /** The store as clients reach it; presigned URLs are signed for this host. */
  MINIO_PUBLIC_ENDPOINT?: string | undefined;
  /** Unset: the default of S3_IDLE_TIMEOUT_MS. */
  S3_IDLE_TIMEOUT_MS?: number | undefined;
  /** Unset: the default of S3_REQUEST_TIMEOUT_MS. */
  S3_REQUEST_TIMEOUT_MS?: number | undefined;
}

// For callers that build an ObjectStoreConfig by hand.
const DEFAULT_IDLE_TIMEOUT_MS = objectStore.S3_IDLE_TIMEOUT_MS.parse(undefined);
const DEFAULT_REQUEST_TIMEOUT_MS = objectStore.S3_REQUEST_TIMEOUT_MS.parse(undefined);

/** The signal of the bounded call (callS3) running in this async context, if any. */
const callSignal = new AsyncLocalStorage<AbortSignal>();

/** Thrown when an S3 request is given up: the store went silent, or a call passed its deadline. */
export class ObjectStoreTimeoutError extends Error {
  // The name the platform gives timeouts (AbortSignal.timeout): shared/src/errors then
  // answers it as an outage (SERVICE_UNAVAILABLE) wherever it surfaces.
  override readonly name = 'TimeoutError';
}

/**
 * minio has no timeout and takes no AbortSignal, but it lets us supply the module that
 * sends its requests. This one gives every request an idle limit (a silent connection,
 * connect included, is destroyed) and the signal of the bounded call it belongs to.
 */
function boundedTransport(useSSL: boolean, idleMs: number): Pick<typeof http, 'request'> {
  const send = useSSL ? https.request : http.request;
  const request = (options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void) => {
    const signal = callSignal.getStore();
    const req = send({ ...options, timeout: idleMs, ...(signal ? { signal } : {}) }, callback);
    req.once('timeout', () =>
      req.destroy(new ObjectStoreTimeoutError(`the object store sent nothing for ${idleMs} ms`)),
    );
    // A response body that stalls is cut off the same way (the socket timeout covers it too).
    return req;
  };
  return { request } as Pick<typeof http, 'request'>;
}

/**
 * Runs one S3 call with a deadline: its requests are aborted when `deadlineMs` passes or
 * `signal` fires (the caller hung up), and the call fails with that reason. For calls of
 * bounded size only (one part, a PUT of one buffer, a delete): a streamed download's body
 * outlives the call that started it and has the idle limit only.
 */
export async function callS3<T>(
  store: ObjectStore,
  run: () => Promise<T>,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<T> {
  const deadlineMs = store.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(deadlineMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  signal.throwIfAborted();
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(abortReason(signal, deadlineMs)), {
      once: true,
    });
  });
  aborted.catch(() => undefined);
  // Racing too: a call that is between two requests when the signal fires stops waiting.
  return Promise.race([callSignal.run(signal, run), aborted]);
}

function abortReason(signal: AbortSignal, deadlineMs: number): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError')
    return new ObjectStoreTimeoutError(`the object store did not finish a request in ${deadlineMs} ms`);
  return reason;
}

export interface ObjectStore {
  readonly client: Client;
  /**
   * The same store and credentials, for multipart parts only: it signs their requests but
   * not their bodies (`x-amz-content-sha256: UNSIGNED-PAYLOAD`, what minio sends over https
   * anyway), so a part is not hashed a second time beside the upload's own SHA-256.
   * ADR 0020 says why that is sound. Unset (stores built by hand): parts go by `client`.
   */
  readonly partClient?: Client;
  readonly bucket: string;
  /** Deadline of one bounded call (callS3); unset: the default of S3_REQUEST_TIMEOUT_MS. */
  readonly requestTimeoutMs?: number;
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
    transport: boundedTransport(useSSL, config.S3_IDLE_TIMEOUT_MS ?? DEFAULT_IDLE_TIMEOUT_MS),
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
 * A client that never hashes request bodies. minio computes a SHA-256 of every body it
 * sends over plain http to put in the signature; over https it sends UNSIGNED-PAYLOAD.
 * `enableSHA256` is the public switch between the two (read once per request).
 */
function payloadUnsignedClient(options: ClientOptions): Client {
  const client = new Client(options);
  client.enableSHA256 = false;
  return client;
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
  return {
    client,
    partClient: payloadUnsignedClient(options),
    bucket: config.MINIO_BUCKET,
    requestTimeoutMs: config.S3_REQUEST_TIMEOUT_MS ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
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
