import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { REQUEST_ID_HEADER } from '@docuvault/shared/http/request-id';
import type { GraphQLError } from 'graphql';
import type { GatewayContext } from './context.ts';
import {
  guardFetcher,
  refusedSignature,
  signWithoutBody,
  type SubgraphCalls,
} from './subgraph-calls/index.ts';

export interface SubgraphDataSourceConfig {
  url?: string | undefined;
  /** The subgraph's name, for logs. */
  name?: string | undefined;
  /** Signing and timeouts (subgraph-calls/); without them calls go out as they are. */
  calls?: SubgraphCalls | undefined;
}

/**
 * Every subgraph call carries the client's request id, so one id follows a request
 * through all logs, and the gateway's signature, which subgraphs require.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly calls: SubgraphCalls | undefined;

  constructor(config: SubgraphDataSourceConfig = {}) {
    super({ url: config.url });
    this.calls = config.calls;
    // Installed here, so a subclass's fetcher wraps this one: JSON calls are signed over
    // their body and time-limited whatever the subclass does around them.
    if (config.calls) this.fetcher = guardFetcher(this.fetcher, config.calls, config.name ?? 'subgraph');
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    // Uploads are sent past the fetcher above (streamed), so they need a signature already.
    if (this.calls && request.http) signWithoutBody(request.http, this.calls, context.requestId);
  }

  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    return (await refusedSignature(response, this.calls?.logger)) ?? super.errorFromResponse(response);
  }
}
