import { errorDetailsExposed, signatureRequired, type StorageConfig } from '@docuvault/shared/config/index';
import { mergeResolvers } from '@docuvault/shared/graphql/merge-resolvers';
import { DateTime } from '@docuvault/shared/graphql/scalars';
import { createSubgraphServer, type SubgraphServer } from '@docuvault/shared/graphql/subgraph-server';
import { objectStoreCheck, type HealthCheck } from '@docuvault/shared/health/index';
import { redisReplayGuard } from '@docuvault/shared/http/signature-replay';
import type { Logger } from '@docuvault/shared/logging/logger';
import { currentRequestId } from '@docuvault/shared/logging/request-context';
import { ensurePrivateBucket, type ObjectStore } from '@docuvault/shared/object-store/client';
import { lifecycleDays } from '@docuvault/shared/object-store/lifecycle';
import { createGetPresigner } from '@docuvault/shared/object-store/presign-get';
import type { StorageContext } from './context.ts';
import { downloadResolvers } from './downloads/resolvers.ts';
import { previewResolvers } from './previews/resolvers.ts';
import { typeDefs } from './type-defs.ts';

export interface StorageDeps {
  config: StorageConfig;
  logger: Logger;
  store: ObjectStore;
  /** Remembers signed call ids (replay protection); needed when signatures are required. */
  redis?: Parameters<typeof redisReplayGuard>[0] | undefined;
}

export interface StorageSubgraphOptions {
  /** Dependency checks beyond the bucket. */
  extraReadyChecks?: HealthCheck[];
}

/**
 * The bucket is bootstrapped in the background and retried: until it exists
 * the service is up but not ready, and /health/ready says why.
 */
function bucketBootstrap(deps: StorageDeps) {
  let ready: Promise<void> | undefined;
  let lastError: unknown;
  const attempt = () =>
    (ready ??= ensurePrivateBucket(deps.store, deps.config.MINIO_REGION, {
      abortIncompleteAfterDays: lifecycleDays(deps.config.MULTIPART_ABORT_AFTER_SECONDS),
    }).then(
      ({ lifecycle }) => {
        // Without the rule the upload sweeper (documents) still aborts them.
        if (lifecycle === 'unsupported')
          deps.logger.warn(
            'the object store has no lifecycle rules: unfinished uploads are left to the sweeper',
          );
      },
      (error: unknown) => {
        lastError = error;
        ready = undefined;
        throw error;
      },
    ));
  attempt().catch((error: unknown) =>
    deps.logger.warn({ err: error }, 'bucket bootstrap failed; will retry'),
  );
  return {
    component: 'objectStore:bucket',
    async run() {
      try {
        await attempt();
      } catch {
        throw new Error(
          `bucket ${deps.store.bucket} not ready: ${(lastError as Error)?.message ?? 'unknown'}`,
        );
      }
    },
  };
}

export async function createStorageSubgraph(
  deps: StorageDeps,
  options: StorageSubgraphOptions = {},
): Promise<SubgraphServer> {
  // One per process: it keeps the day's signing key (docs/adr/0021-download-url-signing.md).
  const presigner = createGetPresigner(deps.config);
  // Ready = can hand out presigned URLs now: the bucket must exist and the store answer
  // *now* (the bootstrap succeeding once says nothing about later).
  const readyChecks: HealthCheck[] = [
    bucketBootstrap(deps),
    objectStoreCheck(deps.store, { whenFailing: 'fail' }),
    ...(options.extraReadyChecks ?? []),
  ];
  return createSubgraphServer<StorageContext>({
    name: 'storage',
    version: deps.config.GIT_COMMIT,
    typeDefs,
    resolvers: mergeResolvers({ DateTime }, downloadResolvers, previewResolvers),
    logger: deps.logger,
    errorDetails: errorDetailsExposed(deps.config),
    requireGatewaySignature: signatureRequired(deps.config),
    gatewaySecretKey: deps.config.SECRET_KEY,
    replayGuard: deps.redis && redisReplayGuard(deps.redis, deps.config.REDIS_PREFIX, deps.logger),
    readyChecks,
    context: async (_req, identity) => ({
      ...identity,
      config: deps.config,
      logger: deps.logger,
      store: deps.store,
      presigner,
      requestId: currentRequestId(),
    }),
  });
}
