import type { StorageConfig } from '@docuvault/shared/config/index';
import { DateTime } from '@docuvault/shared/graphql/scalars';
import { createSubgraphServer, type SubgraphServer } from '@docuvault/shared/graphql/subgraph-server';
import type { Logger } from '@docuvault/shared/logging/logger';
import { ensurePrivateBucket, type ObjectStore } from '@docuvault/shared/object-store/client';
import type { StorageContext } from './context.ts';
import { downloadResolvers } from './downloads/resolvers.ts';
import { typeDefs } from './type-defs.ts';

export interface StorageDeps {
  config: StorageConfig;
  logger: Logger;
  store: ObjectStore;
}

/**
 * The bucket is bootstrapped in the background and retried: until it exists
 * the service is up but not ready, and /health/ready says why.
 */
function bucketBootstrap(deps: StorageDeps) {
  let ready: Promise<void> | undefined;
  let lastError: unknown;
  const attempt = () =>
    (ready ??= ensurePrivateBucket(deps.store, deps.config.MINIO_REGION).catch((error: unknown) => {
      lastError = error;
      ready = undefined;
      throw error;
    }));
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

export async function createStorageSubgraph(deps: StorageDeps): Promise<SubgraphServer> {
  return createSubgraphServer<StorageContext>({
    name: 'storage',
    version: deps.config.GIT_COMMIT,
    typeDefs,
    resolvers: { DateTime, ...downloadResolvers },
    logger: deps.logger,
    nodeEnv: deps.config.NODE_ENV,
    readyChecks: [bucketBootstrap(deps)],
    context: async () => ({ config: deps.config, store: deps.store }),
  });
}
