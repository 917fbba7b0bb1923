import { errorDetailsExposed, signatureRequired, subgraphUrl } from '@docuvault/shared/config/index';
import { mergeResolvers } from '@docuvault/shared/graphql/merge-resolvers';
import { DateTime } from '@docuvault/shared/graphql/scalars';
import { createSubgraphServer, type SubgraphServer } from '@docuvault/shared/graphql/subgraph-server';
import { redisReplayGuard } from '@docuvault/shared/http/signature-replay';
import {
  createReadiness,
  objectStoreCheck,
  opsTokenMatches,
  postgresCheck,
  redisCheck,
  serviceReadyCheck,
} from '@docuvault/shared/health/index';
import { db } from '@docuvault/shared/db/kysely';
import { currentRequestId } from '@docuvault/shared/logging/request-context';
import { sql } from 'kysely';
import type { OpsContext, OpsDeps } from './context.ts';
import { operatorFieldsOnly } from './auth/operator-fields.ts';
import { presentedOpsToken } from './auth/operator.ts';
import { workersCheck } from './health/workers-check.ts';
import { healthResolvers } from './health/resolvers.ts';
import { migrationResolvers } from './migrations/resolvers.ts';
import { createQueueRegistry } from './queues/queue-registry.ts';
import { queueResolvers } from './queues/resolvers.ts';
import { typeDefs } from './type-defs.ts';
import { versionResolvers } from './version/resolvers.ts';

export async function createOpsSubgraph(deps: OpsDeps): Promise<SubgraphServer> {
  const timeoutMs = 2_000;
  const fail = { whenFailing: 'fail' } as const;
  const select1 = () => sql`select 1`.execute(db(deps.orm.em.fork()));
  // The system's health as `health` reports it: any dependency down is a FAIL of the system.
  const everything = [
    postgresCheck(select1, fail),
    objectStoreCheck(deps.store, fail),
    redisCheck(deps.redis, fail),
    serviceReadyCheck('subgraph:documents', subgraphUrl(deps.config, 'documents'), fail),
    serviceReadyCheck('subgraph:storage', subgraphUrl(deps.config, 'storage'), fail),
    workersCheck(deps.queue),
  ];
  const health = createReadiness({
    service: 'ops:system',
    checks: everything,
    logger: deps.logger,
    timeoutMs,
  });
  const queues = createQueueRegistry(deps);
  return createSubgraphServer<OpsContext>({
    name: 'ops',
    version: deps.config.GIT_COMMIT,
    typeDefs,
    // Every field but public health needs an operator (auth/operator-fields.ts).
    resolvers: operatorFieldsOnly(
      mergeResolvers<OpsContext>(
        { DateTime },
        healthResolvers,
        migrationResolvers,
        queueResolvers,
        versionResolvers,
      ),
    ),
    logger: deps.logger,
    errorDetails: errorDetailsExposed(deps.config),
    requireGatewaySignature: signatureRequired(deps.config),
    gatewaySecretKey: deps.config.SECRET_KEY,
    replayGuard: redisReplayGuard(deps.redis, deps.config.REDIS_PREFIX, deps.logger),
    // Ops's main job is to report, above all while other things are down: it is ready when
    // it answers. Without PostgreSQL or Redis it still reports health (migration status or
    // queues fail): degraded, warn.
    readyChecks: [
      postgresCheck(select1, { whenFailing: 'warn' }),
      redisCheck(deps.redis, { whenFailing: 'warn' }),
    ],
    showHealthDetails: (req) => opsTokenMatches(deps.config.OPS_TOKEN, presentedOpsToken(req.headers)),
    checkTimeoutMs: timeoutMs,
    context: async (req, identity) => ({
      ...deps,
      ...identity,
      health,
      queues,
      opsToken: presentedOpsToken(req.headers),
      requestId: currentRequestId(),
      em: deps.orm.em.fork(),
    }),
  });
}
