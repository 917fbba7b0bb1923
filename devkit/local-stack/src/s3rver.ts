import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { LocalS3 } from './ceph-rgw.ts';

export interface StartS3rverOptions {
  /** Buckets and objects live here as plain files (kept across restarts). */
  dataDir: string;
  /** Port on 127.0.0.1; one the kernel picks when omitted (no race with other binders). */
  port?: number;
  accessKey?: string;
  secretKey?: string;
}

// s3rver is CommonJS without typings: these are the parts used here.
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface S3rverApp {
  /** Koa's middleware list; composed when the server starts listening. */
  middleware: KoaMiddleware[];
  httpServer?: Server;
  run(): Promise<AddressInfo>;
}
interface S3rverModule {
  new (options: {
    address: string;
    port: number;
    directory: string;
    silent: boolean;
    resetOnClose: boolean;
    configureBuckets: [];
  }): S3rverApp;
}
interface AccountModule {
  DUMMY_ACCOUNT: {
    createKeyPair(accessKey: string, secretKey: string): void;
    revokeAccessKey(accessKey: string): void;
  };
}
type S3ErrorClass = new (code: string, message: string, detail?: Record<string, string>) => Error;

const requireCjs = createRequire(import.meta.url);
const S3rver = requireCjs('@20minutes/s3rver') as S3rverModule;
// The package has no "exports" map: its models are reachable, and they are the
// only way to give it keys of our own (it knows only S3RVER/S3RVER otherwise).
const { DUMMY_ACCOUNT } = requireCjs('@20minutes/s3rver/lib/models/account.js') as AccountModule;
const S3Error = requireCjs('@20minutes/s3rver/lib/models/error.js') as S3ErrorClass;

// s3rver checks a signature for whatever region it names; Ceph's local gateway reports this one.
const REGION = 'us-east-1';
const STOP_GRACE_MS = 5_000;

/**
 * Starts s3rver, a stand-in S3 server in this process, for machines without
 * Ceph. Same result as startCephRgw, so callers need no special cases; what it
 * does not do (POST policies, multipart, unsigned requests) is listed in the
 * launcher's warning.
 */
export async function startS3rver(options: StartS3rverOptions): Promise<LocalS3> {
  const accessKey = options.accessKey ?? 'docuvault-local';
  const secretKey = options.secretKey ?? 'docuvault-local-secret';
  const directory = path.resolve(options.dataDir);
  await mkdir(directory, { recursive: true });

  // Keys are process-wide in s3rver. The well-known pair goes so that only ours
  // signs; ours stays after stop(), as another instance may share it.
  DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);

  const app = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory,
    silent: true,
    resetOnClose: false,
    configureBuckets: [],
  });
  app.middleware.unshift(noBucketPolicies);
  const address = await app.run();
  const server = app.httpServer;
  if (!server) throw new Error('s3rver started without an HTTP server');

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve, reject) => {
      // close() waits for open connections: idle ones go now, busy ones after a grace.
      const force = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS).unref();
      server.close((error) => {
        clearTimeout(force);
        if (error) reject(error);
        else resolve();
      });
      server.closeIdleConnections();
    }));
  return { endpoint: `http://127.0.0.1:${address.port}`, accessKey, secretKey, region: REGION, stop };
}

/**
 * s3rver keeps no bucket policies, yet answers a policy read with 405
 * MethodNotAllowed; S3 says NoSuchBucketPolicy then, which is what the bucket
 * bootstrap (ensurePrivateBucket) expects of a private bucket. Only that answer
 * is rewritten: signature and bucket-existence errors come first and pass as they are.
 */
const noBucketPolicies: KoaMiddleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    const bucket = /^\/([^/]+)\/?$/.exec(ctx.path)?.[1];
    const isPolicyRead = ctx.method === 'GET' && 'policy' in ctx.query && bucket !== undefined;
    if (!isPolicyRead || (error as { code?: string }).code !== 'MethodNotAllowed') throw error;
    throw new S3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', { BucketName: bucket });
  }
};
