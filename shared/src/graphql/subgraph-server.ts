import { createServer, type Server } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import express, { type Express, type RequestHandler } from 'express';
import type { DocumentNode } from 'graphql';
import { identityOf, type RequestIdentity } from '../auth/request-identity.ts';
import { createErrorFormatter } from '../errors/format-error.ts';
import { createReadiness, healthRouter, type HealthCheck } from '../health/index.ts';
import { listen, type RunningServer } from '../http/listen.ts';
import { requestIdMiddleware } from '../http/request-id.ts';
import { gatewaySignatureFor } from '../http/subgraph-signature.ts';
import type { ReplayGuard } from '../http/signature-replay.ts';
import type { Logger } from '../logging/logger.ts';
import { graphqlHandler } from './graphql-handler.ts';

export interface SubgraphOptions<TContext extends BaseContext> {
  name: string;
  version: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  logger: Logger;
  /**
   * Builds the per-request context; the request id is already in the async context, and
   * `identity` is who the gateway says the request acts for (shared/src/auth/).
   */
  context: (req: express.Request, identity: RequestIdentity) => Promise<TContext>;
  /**
   * This service's readiness: /health/ready answers 503 when a check whose failure means
   * the service cannot do its main job fails (`whenFailing`, default `fail`).
   */
  readyChecks: HealthCheck[];
  /** Who may see the checks' errors over HTTP (see healthRouter); unset: nobody. */
  showHealthDetails?: (req: express.Request) => boolean | Promise<boolean>;
  /** Stack traces and raw messages of unexpected errors in responses: `errorDetailsExposed(config)`. */
  errorDetails: boolean;
  /** Middleware placed before the GraphQL handler on /graphql (e.g. multipart parsing). */
  graphqlMiddleware?: RequestHandler[];
  jsonLimit?: string;
  checkTimeoutMs?: number;
  /** Refuse /graphql requests the gateway did not sign: `signatureRequired(config)`. */
  requireGatewaySignature: boolean;
  /** The secret the gateway's signing key derives from (SECRET_KEY). */
  gatewaySecretKey: string | undefined;
  /** Where signed call ids are remembered (redisReplayGuard); required with signatures. */
  replayGuard?: ReplayGuard | undefined;
}

export interface SubgraphServer {
  readonly app: Express;
  readonly httpServer: Server;
  listen(host: string, port: number): Promise<RunningServer>;
}

/**
 * One subgraph process: GraphQL on /graphql (Apollo Server 5 on Express 5),
 * the two health probes, request ids, and the shared error policy.
 */
export async function createSubgraphServer<TContext extends BaseContext>(
  options: SubgraphOptions<TContext>,
): Promise<SubgraphServer> {
  const { logger } = options;
  // Only the gateway may call /graphql; health routes stay open (shared/src/http/subgraph-signature.ts).
  const signature = gatewaySignatureFor(options);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  app.use(requestIdMiddleware(logger));
  const ready = createReadiness({
    service: options.name,
    checks: options.readyChecks,
    logger,
    ...(options.checkTimeoutMs ? { timeoutMs: options.checkTimeoutMs } : {}),
  });
  app.use(
    healthRouter({
      service: options.name,
      version: options.version,
      ready,
      ...(options.showHealthDetails ? { showDetails: options.showHealthDetails } : {}),
    }),
  );

  const apollo = new ApolloServer<TContext>({
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers }]),
    formatError: createErrorFormatter(logger, { exposeDetails: options.errorDetails }),
    // Explicit: Apollo's default includes stack traces whenever NODE_ENV is not production.
    includeStacktraceInErrorResponses: options.errorDetails,
    // Inline traces are for Apollo Studio, which we do not report to: they only cost time.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();

  app.use(
    '/graphql',
    ...(signature ? [signature.checkHeaders] : []),
    express.json({
      limit: options.jsonLimit ?? '1mb',
      ...(signature ? { verify: signature.verifyBody } : {}),
    }),
    ...(signature?.afterBody ?? []),
    ...(options.graphqlMiddleware ?? []),
    ...(signature ? [signature.afterMultipart] : []),
    graphqlHandler(apollo, (req) => options.context(req, identityOf(req, signature !== undefined))),
  );

  return {
    app,
    httpServer,
    async listen(host, port) {
      const running = await listen(httpServer, { host, port, logger });
      return {
        ...running,
        // apollo.stop() drains the HTTP server (in-flight requests finish) before resolving.
        close: () => apollo.stop(),
      };
    },
  };
}
