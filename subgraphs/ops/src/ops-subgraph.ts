import { signatureRequired, subgraphUrl } from '@docuvault/shared/config/index';
import { mergeResolvers } from '@docuvault/shared/graphql/merge-resolvers';
import { DateTime } from '@docuvault/shared/graphql/scalars';
import { createSubgraphServer, type SubgraphServer } from '@docuvault/shared/graphql/subgraph-server';
import { redisReplayGuard } from '@docuvault/shared/http/signature-replay';
import { cachedReport, runChecks } from '@docuvault/shared/health/index';
import { currentRequestId } from '@docuvault/shared/logging/request-context';
import type { OpsContext, OpsDeps } from './context.ts';
import {
  objectStoreCheck,
  postgresCheck,
  redisCheck,
  serviceReadyCheck,
  workersCheck,
} from './health/dependency-checks.ts';
import { healthResolvers } from './health/resolvers.ts';
import { migrationResolvers } from './migrations/resolvers.ts';
import { presentedOpsToken } from './queues/ops-auth.ts';
import { createQueueRegistry } from './queues/queue-registry.ts';
import { queueResolvers } from './queues/resolvers.ts';
import { typeDefs } from './type-defs.ts';
import { versionResolvers } from './version/resolvers.ts';

export async function createOpsSubgraph(deps: OpsDeps): Promise<SubgraphServer> {
  const timeoutMs = 2_000;
  const everything = [
    postgresCheck(deps.pool),
    objectStoreCheck(deps.store),
    redisCheck(deps.redis),
    serviceReadyCheck('subgraph:documents', subgraphUrl(deps.config, 'documents')),
    serviceReadyCheck('subgraph:storage', subgraphUrl(deps.config, 'storage')),
    workersCheck(deps.queue),
  ];
  const health = cachedReport(() => runChecks(everything, timeoutMs), 1_000);
  const queues = createQueueRegistry(deps);
  return createSubgraphServer<OpsContext>({
    name: 'ops',
    version: deps.config.GIT_COMMIT,
    typeDefs,
    resolvers: mergeResolvers(
      { DateTime },
      healthResolvers,
      migrationResolvers,
      queueResolvers,
      versionResolvers,
    ),
    logger: deps.logger,
    nodeEnv: deps.config.NODE_ENV,
    requireGatewaySignature: signatureRequired(deps.config),
    gatewaySecretKey: deps.config.SECRET_KEY,
    replayGuard: redisReplayGuard(deps.redis, deps.config.REDIS_PREFIX, deps.logger),
    // Ops must answer while other things are down (that is its job), so it is
    // ready when it can read migration state and queues: Postgres and Redis.
    readyChecks: [postgresCheck(deps.pool), redisCheck(deps.redis)],
    checkTimeoutMs: timeoutMs,
    context: async (req, identity) => ({
      ...deps,
      ...identity,
      health,
      queues,
      opsToken: presentedOpsToken(req.headers),
      requestId: currentRequestId(),
    }),
  });
}
