import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { OPS_TOKEN_HEADER } from '@docuvault/shared/auth/principal';
import { errorDetailsExposed, subgraphUrl, type GatewayConfig } from '@docuvault/shared/config/index';
import { graphqlHandler } from '@docuvault/shared/graphql/graphql-handler';
import { createReadiness, healthRouter } from '@docuvault/shared/health/index';
import { listen, type RunningServer } from '@docuvault/shared/http/listen';
import { requestIdMiddleware } from '@docuvault/shared/http/request-id';
import type { Logger } from '@docuvault/shared/logging/logger';
import { currentRequestId } from '@docuvault/shared/logging/request-context';
import { createRedis } from '@docuvault/shared/queue/redis';
import express from 'express';
import proxyaddr from 'proxy-addr';
import type { Principal } from '@docuvault/shared/auth/principal';
import { authMiddleware, createAuthenticator, principalOf } from './auth/authenticate.ts';
import { createRevocationCheck } from './auth/revocation-check.ts';
import { handlerChain } from './handler-chain.ts';
import { createJsonGraphQLRoute } from './json-graphql-route.ts';
import { graphiqlRouter } from './ide/graphiql.ts';
import { createLimits, finalErrorHandler } from './limits/index.ts';
import { gatewayReadyChecks, operatorOnHealth } from './readiness.ts';
import { createGatewayErrorFormatter, createSubgraphCalls } from './subgraph-calls/index.ts';
import {
  allowLongUploads,
  createUploadMiddleware,
  uploadsOf,
  UploadingDataSource,
  uploadRefusalPlugin,
  type UploadGatewayContext,
} from './uploads/index.ts';

const SUBGRAPHS = ['documents', 'storage', 'ops'] as const;
export const SUPERGRAPH_PATH = join(import.meta.dirname, '..', 'supergraph.graphql');

export interface GatewayServer {
  readonly httpServer: Server;
  listen(host: string, port: number): Promise<RunningServer>;
}

export async function createGatewayServer(config: GatewayConfig, logger: Logger): Promise<GatewayServer> {
  const urls = Object.fromEntries(SUBGRAPHS.map((name) => [name, subgraphUrl(config, name)]));
  // Every subgraph call signed and time-limited (subgraph-calls/).
  const calls = createSubgraphCalls(config, logger);
  const gateway = new ApolloGateway({
    // Composed offline and committed: the gateway never depends on a subgraph
    // being up to learn the schema, and the schema changes only by review.
    supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
    // Forwards the request id to every subgraph, and uploads (multipart, streamed) to those that take them.
    buildService: ({ name, url }) =>
      new UploadingDataSource({
        url: urls[name] ?? url,
        name,
        calls,
        uploadIdleTimeoutMs: config.UPLOAD_IDLE_TIMEOUT_MS,
      }),
    logger,
  });

  // Deleted accounts' tokens: a revocation list in Redis, read through a short cache.
  const redis = createRedis(config.REDIS_URL, 'producer');
  const authenticator = createAuthenticator(
    config,
    createRevocationCheck(redis, {
      prefix: config.REDIS_PREFIX,
      cacheMs: config.AUTH_REVOCATION_CACHE_MS,
      logger,
    }),
  );
  const app = express();
  app.disable('x-powered-by');
  if (config.TRUST_PROXY) app.set('trust proxy', trustProxyValue(config.TRUST_PROXY));
  // Its request listener is added once Apollo has started (below).
  const httpServer = createServer();
  allowLongUploads(httpServer);
  app.use(requestIdMiddleware(logger));

  let supergraphLoaded = false;
  const ready = createReadiness({
    service: 'gateway',
    checks: gatewayReadyChecks(
      { documents: urls.documents!, storage: urls.storage!, ops: urls.ops! },
      () => supergraphLoaded,
    ),
    logger,
  });
  const health = healthRouter({
    service: 'gateway',
    version: config.GIT_COMMIT,
    ready,
    showDetails: operatorOnHealth(config.OPS_TOKEN, authenticator),
    versionFor: 'operators',
  });

  const production = config.NODE_ENV === 'production';
  const introspection = config.GRAPHQL_INTROSPECTION ?? !production;
  const limits = createLimits<UploadGatewayContext>(config);
  const apollo = new ApolloServer<UploadGatewayContext>({
    gateway,
    introspection,
    // Without introspection, no "Did you mean …" either: suggestions would leak the schema piece by piece.
    hideSchemaDetailsFromClientErrors: !introspection,
    ...limits.apollo,
    formatError: createGatewayErrorFormatter(logger, { exposeDetails: errorDetailsExposed(config) }),
    // Explicit: Apollo's default includes stack traces whenever NODE_ENV is not production.
    includeStacktraceInErrorResponses: errorDetailsExposed(config),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's landing page loads from Apollo's CDN; ours is GraphiQL, served from here.
      ApolloServerPluginLandingPageDisabled(),
      uploadRefusalPlugin,
    ],
  });
  await apollo.start();
  supergraphLoaded = true;

  // The IDE needs introspection, so it is there exactly when introspection is on.
  if (introspection) app.use(graphiqlRouter());

  // Express's req.ip: the client's address as TRUST_PROXY says to read it.
  const trustProxy = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  const contextOf = (
    req: IncomingMessage,
    principal: Principal,
    uploads?: UploadGatewayContext['uploads'],
  ): UploadGatewayContext => ({
    requestId: currentRequestId(),
    uploads,
    principal,
    clientIp: proxyaddr(req, trustProxy),
    opsToken: typeof req.headers[OPS_TOKEN_HEADER] === 'string' ? req.headers[OPS_TOKEN_HEADER] : undefined,
  });
  const jsonRoute = createJsonGraphQLRoute({
    logger,
    apollo,
    authenticator,
    maxBodyBytes: limits.maxBodyBytes,
    refusalOf: limits.refusalOf,
    context: contextOf,
  });
  // POST /graphql with a JSON body takes the route without Express (json-graphql-route.ts);
  // every other request, and every other body on /graphql, takes Express.
  httpServer.on('request', (req, res) => {
    if (jsonRoute.accepts(req)) jsonRoute.handle(req, res);
    else app(req, res);
  });
  app.use(
    '/graphql',
    handlerChain([
      ...limits.beforeUploads,
      // Before the upload middleware: a bad token is refused before any file byte is read.
      authMiddleware(authenticator, logger),
      createUploadMiddleware(config, logger),
      ...limits.afterUploads,
      graphqlHandler(apollo, async (req) => contextOf(req, principalOf(req), uploadsOf(req))),
    ]),
  );
  // After /graphql, whose requests would otherwise walk the health router's routes first
  // (the paths do not overlap, so the order changes nothing else).
  app.use(health);
  app.use(finalErrorHandler(logger));

  return {
    httpServer,
    async listen(host, port) {
      const running = await listen(httpServer, { host, port, logger });
      return {
        ...running,
        close: () => apollo.stop().finally(() => redis.disconnect()),
      };
    },
  };
}

/** TRUST_PROXY as Express reads it: true/false, a hop count, or addresses and subnets. */
function trustProxyValue(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
