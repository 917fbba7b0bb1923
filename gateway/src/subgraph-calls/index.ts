import type { GatewayConfig } from '@docuvault/shared/config/index';
import { deriveSigningKey, type SigningKey } from '@docuvault/shared/http/subgraph-signature';
import type { Logger } from '@docuvault/shared/logging/logger';

// How the gateway calls its subgraphs: every call signed (subgraphs refuse unsigned
// ones), every non-upload call bounded by SUBGRAPH_TIMEOUT_MS, every failure answered to
// the client as SERVICE_UNAVAILABLE rather than a hung request or a leaked URL.
//   buildService: ({ name, url }) => new SubgraphDataSource({ name, url, calls })

export interface SubgraphCalls {
  readonly key: SigningKey;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

export function createSubgraphCalls(
  config: Pick<GatewayConfig, 'SECRET_KEY' | 'SUBGRAPH_TIMEOUT_MS'>,
  logger: Logger,
): SubgraphCalls {
  return { key: deriveSigningKey(config.SECRET_KEY), timeoutMs: config.SUBGRAPH_TIMEOUT_MS, logger };
}

export { guardFetcher, signMultipart } from './guarded-fetcher.ts';
export { PlainHeaders, subgraphFetcher } from './http-fetcher.ts';
export { refusedSignature } from './refusals.ts';
export { createGatewayErrorFormatter } from './client-errors.ts';
