import type { RunningServer } from '@docuvault/shared/http/listen';
import { nowhereUrl, startGatewayAt } from './gateway.ts';
import { startUploadStack, type UploadStack } from './uploads.ts';

// The gateway and the documents subgraph, both in this process on ephemeral ports; the
// other subgraphs point at a closed port (upload requests never reach them).

export interface GatewayStack extends UploadStack {
  readonly gateway: RunningServer;
  readonly gatewayUrl: string;
}

/** A gateway in front of the documents subgraph only, with the given upload limits. */
export async function startUploadGateway(
  documentsGraphqlUrl: string,
  limits: { maxUploadBytes: number; maxFiles?: number },
): Promise<RunningServer> {
  const nowhere = await nowhereUrl();
  return startGatewayAt(
    { documents: documentsGraphqlUrl, storage: nowhere, ops: nowhere },
    {
      MAX_UPLOAD_BYTES: String(limits.maxUploadBytes),
      MAX_FILES_PER_REQUEST: String(limits.maxFiles ?? 10),
    },
  );
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
    gateway = await startUploadGateway(stack.graphqlUrl, {
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
