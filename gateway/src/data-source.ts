import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import {
  CLIENT_IP_HEADER,
  encodePrincipal,
  GUEST,
  OPS_TOKEN_HEADER,
  PRINCIPAL_HEADER,
} from '@docuvault/shared/auth/principal';
import { REQUEST_ID_HEADER } from '@docuvault/shared/http/request-id';
import type { GraphQLError } from 'graphql';
import type { GatewayContext } from './context.ts';
import {
  guardFetcher,
  refusedSignature,
  subgraphFetcher,
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
 * through all logs; the principal the gateway verified and the client's address; and
 * the gateway's signature over all of them, which subgraphs require.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /** Signing and timeouts; uploads sign their own calls with them (upload-data-source.ts). */
  protected readonly calls: SubgraphCalls | undefined;

  constructor(config: SubgraphDataSourceConfig = {}) {
    super({ url: config.url, fetcher: subgraphFetcher });
    this.calls = config.calls;
    // Installed here, so a subclass's fetcher wraps this one: JSON calls are signed over
    // their body and time-limited whatever the subclass does around them.
    if (config.calls) this.fetcher = guardFetcher(this.fetcher, config.calls, config.name ?? 'subgraph');
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const http = request.http;
    if (!http) return;
    if (context.requestId) http.headers.set(REQUEST_ID_HEADER, context.requestId);
    const principal = encodePrincipal(context.principal ?? GUEST);
    http.headers.set(PRINCIPAL_HEADER, principal);
    if (context.clientIp) http.headers.set(CLIENT_IP_HEADER, context.clientIp);
    if (context.opsToken) http.headers.set(OPS_TOKEN_HEADER, context.opsToken);
  }

  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    return (await refusedSignature(response, this.calls?.logger)) ?? super.errorFromResponse(response);
  }
}
