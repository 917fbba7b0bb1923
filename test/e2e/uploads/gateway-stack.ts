import { createGatewayServer } from '@docuvault/gateway/gateway-server';
import { gatewayEnv, loadConfig } from '@docuvault/shared/config/index';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { freePort } from '@docuvault/shared/local-stack/index';
import { createLogger } from '@docuvault/shared/logging/logger';
import { startUploadStack, type UploadStack } from '../../integration/uploads/upload-stack.ts';
import { testRedisUrl } from '../../support/redis.ts';

// The gateway and the documents subgraph, both in this process on ephemeral ports; the
// other subgraphs point at a closed port (upload requests never reach them).

export interface GatewayStack extends UploadStack {
  readonly gateway: RunningServer;
  readonly gatewayUrl: string;
}

export async function startGateway(
  documentsGraphqlUrl: string,
  limits: { maxUploadBytes: number; maxFiles?: number },
): Promise<RunningServer> {
  const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
  const config = loadConfig('gateway', gatewayEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // The documents test deps' key: the subgraph checks the gateway's signatures with it.
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123',
    DOCUMENTS_URL: documentsGraphqlUrl,
    STORAGE_URL: nowhere,
    OPS_URL: nowhere,
    MAX_UPLOAD_BYTES: String(limits.maxUploadBytes),
    MAX_FILES_PER_REQUEST: String(limits.maxFiles ?? 10),
    // These suites test the upload path, not accounts: the anonymous vault.
    ALLOW_ANONYMOUS: 'true',
    REDIS_URL: testRedisUrl(),
  });
  const server = await createGatewayServer(config, createLogger('gateway', 'silent'));
  return server.listen('127.0.0.1', 0);
}

/** A documents subgraph allowing `subgraphMaxBytes`, behind a gateway allowing `gatewayMaxBytes`. */
export async function startGatewayStack(
  label: string,
  options: { subgraphMaxBytes: number; gatewayMaxBytes: number; maxFiles?: number },
): Promise<GatewayStack> {
  const stack = await startUploadStack(
    label,
    { MAX_UPLOAD_BYTES: options.subgraphMaxBytes, MAX_FILES_PER_REQUEST: options.maxFiles ?? 10 },
    // The subgraph serves only what the gateway signed: uploads are signed too.
    { signed: true },
  );
  let gateway: RunningServer;
  try {
    gateway = await startGateway(stack.graphqlUrl, {
      maxUploadBytes: options.gatewayMaxBytes,
      maxFiles: options.maxFiles,
    });
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    ...stack,
    gateway,
    gatewayUrl: `${gateway.url}/graphql`,
    async close() {
      await gateway.close();
      await stack.close();
    },
  };
}
