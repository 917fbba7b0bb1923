import { errorDetailsExposed, signatureRequired, type StorageConfig } from '@docuvault/shared/config/index';
import { AppError } from '@docuvault/shared/errors/index';
import { mergeResolvers } from '@docuvault/shared/graphql/merge-resolvers';
import { DateTime } from '@docuvault/shared/graphql/scalars';
import { createSubgraphServer, type SubgraphServer } from '@docuvault/shared/graphql/subgraph-server';
import { objectStoreCheck, postgresCheck, type HealthCheck } from '@docuvault/shared/health/index';
import { redisReplayGuard } from '@docuvault/shared/http/signature-replay';
import type { Logger } from '@docuvault/shared/logging/logger';
import { currentRequestId } from '@docuvault/shared/logging/request-context';
import { ensurePrivateBucket, type ObjectStore } from '@docuvault/shared/object-store/client';
import { lifecycleDays } from '@docuvault/shared/object-store/lifecycle';
import type { StorageContext, TicketDeps } from './context.ts';
import { downloadResolvers } from './downloads/resolvers.ts';
import { ticketResolvers } from './tickets/resolvers.ts';
import { typeDefs } from './type-defs.ts';

export interface StorageDeps {
  config: StorageConfig;
  logger: Logger;
  store: ObjectStore;
  /**
   * Direct uploads (requestUpload, completeUpload). main.ts always passes them; an
   * instance without them serves downloads only and answers those two mutations with
   * SERVICE_UNAVAILABLE (tests of downloads need no database or Redis).
   */
  tickets?: TicketDeps | undefined;
  /** Remembers signed call ids (replay protection); needed when signatures are required. */
  redis?: Parameters<typeof redisReplayGuard>[0] | undefined;
}

export interface StorageSubgraphOptions {
  /** Dependency checks beyond the bucket and database (schema currency, Redis). */
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

function ticketsOf(deps: StorageDeps): () => TicketDeps {
  const { tickets } = deps;
  if (!tickets)
    return () => {
      throw new AppError('SERVICE_UNAVAILABLE', 'Direct uploads are not enabled on this storage instance');
    };
  // A fork per request (fresh identity map), made only when a resolver needs it.
  let forked: TicketDeps | undefined;
  return () => (forked ??= { ...tickets, em: tickets.em.fork() });
}

export async function createStorageSubgraph(
  deps: StorageDeps,
  options: StorageSubgraphOptions = {},
): Promise<SubgraphServer> {
  const { tickets } = deps;
  // Ready = can hand out presigned URLs and verify objects now: the bucket must exist and
  // the store answer *now* (the bootstrap succeeding once says nothing about later), and
  // tickets need PostgreSQL.
  const readyChecks: HealthCheck[] = [
    bucketBootstrap(deps),
    objectStoreCheck(deps.store, { whenFailing: 'fail' }),
    ...(tickets
      ? [postgresCheck(() => tickets.em.getConnection().execute('select 1'), { whenFailing: 'fail' })]
      : []),
    ...(options.extraReadyChecks ?? []),
  ];
  return createSubgraphServer<StorageContext>({
    name: 'storage',
    version: deps.config.GIT_COMMIT,
    typeDefs,
    resolvers: mergeResolvers({ DateTime }, downloadResolvers, ticketResolvers),
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
      requestId: currentRequestId(),
      tickets: ticketsOf(deps),
    }),
  });
}
