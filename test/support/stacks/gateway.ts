import { createGatewayServer } from '@docuvault/gateway/gateway-server';
import { gatewayEnv, loadConfig } from '@docuvault/shared/config/index';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { freePort } from '@docuvault/local-stack/free-port';
import { createLogger, type Logger } from '@docuvault/shared/logging/logger';
import { testRedisUrl } from '../redis.ts';
import { TEST_SECRET_KEY } from '../signed-fetch.ts';

export interface SubgraphUrls {
  documents: string;
  storage: string;
  ops: string;
}

/** A gateway in this process whose subgraphs are at `urls` (anything with an HTTP port will do). */
export async function startGatewayAt(
  urls: SubgraphUrls,
  env: Record<string, string> = {},
  logger: Logger = createLogger('gateway', 'silent'),
): Promise<RunningServer> {
  const config = loadConfig('gateway', gatewayEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // The documents test deps' key too: the subgraphs check the gateway's signatures with it.
    SECRET_KEY: TEST_SECRET_KEY,
    // Suites written before accounts work in the anonymous vault; auth suites turn it off.
    ALLOW_ANONYMOUS: 'true',
    // Revoked tokens (deleted accounts); pass the documents side's REDIS_PREFIX to see its revocations.
    REDIS_URL: testRedisUrl(),
    DOCUMENTS_URL: urls.documents,
    STORAGE_URL: urls.storage,
    OPS_URL: urls.ops,
    ...env,
  });
  return (await createGatewayServer(config, logger)).listen('127.0.0.1', 0);
}

/** A URL on a closed port: for the subgraphs a suite never reaches. */
export async function nowhereUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}/graphql`;
}
