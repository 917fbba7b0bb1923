import { provisionExternalUser } from '@docuvault/shared/auth/provision';
import { errorDetailsExposed, signatureRequired } from '@docuvault/shared/config/index';
import { mergeResolvers } from '@docuvault/shared/graphql/merge-resolvers';
import { DateTime } from '@docuvault/shared/graphql/scalars';
import { createSubgraphServer, type SubgraphServer } from '@docuvault/shared/graphql/subgraph-server';
import { objectStoreCheck, postgresCheck, type HealthCheck } from '@docuvault/shared/health/index';
import { redisReplayGuard } from '@docuvault/shared/http/signature-replay';
import { currentRequestId } from '@docuvault/shared/logging/request-context';
import type { RequestHandler } from 'express';
import { accountResolvers } from './accounts/resolvers.ts';
import { warmUpPasswords } from './accounts/passwords.ts';
import { classificationResolvers } from './classification/resolvers.ts';
import type { DocumentsContext, DocumentsDeps } from './context.ts';
import { ticketResolvers } from './direct-uploads/resolvers.ts';
import { documentResolvers } from './documents/resolvers.ts';
import { folderResolvers } from './folders/resolvers.ts';
import { groupResolvers } from './groups/resolvers.ts';
import { sharingResolvers } from './sharing/resolvers.ts';
import { shareLinkResolvers } from './share-links/resolvers.ts';
import { topicResolvers } from './topics/resolvers.ts';
import { createUploadMiddleware, uploadResolvers } from './uploads/index.ts';
import { typeDefs } from './type-defs.ts';

export interface DocumentsSubgraphOptions {
  /** Dependency checks beyond the database and bucket (e.g. schema currency, Redis). */
  extraReadyChecks?: HealthCheck[];
  graphqlMiddleware?: RequestHandler[];
  /** Overrides the config's choice (tests that call the subgraph directly, or prove it refuses). */
  requireGatewaySignature?: boolean;
}

export async function createDocumentsSubgraph(
  deps: DocumentsDeps,
  options: DocumentsSubgraphOptions = {},
): Promise<SubgraphServer> {
  // Ready = can serve documents now: PostgreSQL is essential. Without the object store,
  // listing, search and sign-in still work (uploads and downloads do not): degraded, warn.
  const readyChecks: HealthCheck[] = [
    postgresCheck(() => deps.em.getConnection().execute('select 1'), { whenFailing: 'fail' }),
    objectStoreCheck(deps.store, { whenFailing: 'warn' }),
    ...(options.extraReadyChecks ?? []),
  ];
  const server = await createSubgraphServer<DocumentsContext>({
    name: 'documents',
    version: deps.config.GIT_COMMIT,
    typeDefs,
    resolvers: mergeResolvers(
      { DateTime },
      documentResolvers,
      topicResolvers,
      folderResolvers,
      classificationResolvers,
      uploadResolvers,
      ticketResolvers,
      accountResolvers,
      groupResolvers,
      sharingResolvers,
      shareLinkResolvers,
    ),
    logger: deps.logger,
    errorDetails: errorDetailsExposed(deps.config),
    requireGatewaySignature: options.requireGatewaySignature ?? signatureRequired(deps.config),
    gatewaySecretKey: deps.config.SECRET_KEY,
    replayGuard: redisReplayGuard(deps.redis, deps.config.REDIS_PREFIX, deps.logger),
    readyChecks,
    graphqlMiddleware: [
      createUploadMiddleware(deps.config, deps.logger),
      ...(options.graphqlMiddleware ?? []),
    ],
    context: async (_req, identity) => {
      const em = deps.em.fork();
      await provisionExternalUser(em, identity.principal, deps.config.QUOTA_DEFAULT_BYTES);
      return { ...deps, ...identity, em, requestId: currentRequestId() };
    },
  });
  warmUpPasswords();
  // A 1 GB upload on a slow link outlives Node's default 5-minute request
  // limit; stalled uploads are cut by the upload idle timeout instead.
  server.httpServer.requestTimeout = 0;
  return server;
}
