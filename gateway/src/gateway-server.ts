import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { subgraphUrl, type GatewayConfig } from '@docuvault/shared/config/index';
import { createErrorFormatter } from '@docuvault/shared/errors/index';
import { cachedReport, healthRouter, runChecks, type HealthCheck } from '@docuvault/shared/health/index';
import { listen, type RunningServer } from '@docuvault/shared/http/listen';
import { requestIdMiddleware } from '@docuvault/shared/http/request-id';
import type { Logger } from '@docuvault/shared/logging/logger';
import { currentRequestId } from '@docuvault/shared/logging/request-context';
import express from 'express';
import type { GatewayContext } from './context.ts';
import { SubgraphDataSource } from './data-source.ts';
import { subgraphReadyCheck } from './readiness.ts';

const SUBGRAPHS = ['documents', 'storage', 'ops'] as const;
export const SUPERGRAPH_PATH = join(import.meta.dirname, '..', 'supergraph.graphql');

export interface GatewayServer {
  readonly httpServer: Server;
  listen(host: string, port: number): Promise<RunningServer>;
}

export async function createGatewayServer(config: GatewayConfig, logger: Logger): Promise<GatewayServer> {
  const urls = Object.fromEntries(SUBGRAPHS.map((name) => [name, subgraphUrl(config, name)]));
  const gateway = new ApolloGateway({
    // Composed offline and committed: the gateway never depends on a subgraph
    // being up to learn the schema, and the schema changes only by review.
    supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name, url }) => new SubgraphDataSource({ url: urls[name] ?? url }),
    logger,
  });

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  app.use(requestIdMiddleware(logger));

  let supergraphLoaded = false;
  const checks: HealthCheck[] = [
    {
      component: 'supergraph',
      async run() {
        if (!supergraphLoaded) throw new Error('supergraph not loaded yet');
      },
    },
    ...SUBGRAPHS.map((name) => subgraphReadyCheck(name, urls[name]!)),
  ];
  const ready = cachedReport(() => runChecks(checks, 2_000), 1_000);
  app.use(healthRouter({ service: 'gateway', version: config.GIT_COMMIT, ready }));

  const production = config.NODE_ENV === 'production';
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.GRAPHQL_INTROSPECTION ?? !production,
    formatError: createErrorFormatter(logger, { exposeDetails: !production }),
    includeStacktraceInErrorResponses: !production,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  supergraphLoaded = true;

  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, { context: async () => ({ requestId: currentRequestId() }) }),
  );

  return {
    httpServer,
    async listen(host, port) {
      const running = await listen(httpServer, { host, port, logger });
      return { ...running, close: () => apollo.stop() };
    },
  };
}
