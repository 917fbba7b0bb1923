import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import {
  CLIENT_IP_HEADER,
  encodePrincipal,
  GUEST,
  OPS_TOKEN_HEADER,
  PRINCIPAL_HEADER,
} from '@docuvault/shared/auth/principal';
import { REQUEST_ID_HEADER } from '@docuvault/shared/http/request-id';
import type { GraphQLError } from 'graphql';
import { Request as NodeFetchRequest } from 'node-fetch';
import type { GatewayContext } from './context.ts';
import { cacheHintOf } from './subgraph-calls/cache-hint.ts';
import {
  guardFetcher,
  PlainHeaders,
  refusedSignature,
  subgraphFetcher,
  type SubgraphCalls,
} from './subgraph-calls/index.ts';

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;
type Response = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

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

  /**
   * RemoteGraphQLDataSource.process, step for step (headers, willSendRequest, the call,
   * errorFromResponse, parseBody, didReceiveResponse, the cache hint), without the two
   * node-fetch objects it builds for every call: a WHATWG Headers for the call's headers
   * and a Request that only its error hook would read. Together about 4 % of the
   * gateway's CPU per request (docs/adr/0012-gateway-hot-path.md). The Request is built
   * on the error path only, for didEncounterError. Automatic persisted queries (off here)
   * take Apollo's own path.
   */
  override async process(options: Options): Promise<Response> {
    if (this.apq) return super.process(options);
    const { request } = options;
    const headers = new PlainHeaders();
    if (request.http?.headers) {
      for (const [name, value] of request.http.headers) headers.append(name, value);
    }
    headers.set('Content-Type', 'application/json');
    request.http = { method: 'POST', url: this.url, headers };
    if (this.willSendRequest) await this.willSendRequest(options);
    if (!request.query) throw new Error('Missing query');
    const { query, http, ...rest } = request;
    const init: FetcherRequestInit = {
      method: http!.method,
      headers: Object.fromEntries(http!.headers),
      // The query first, as Apollo sends it.
      body: JSON.stringify({ query, ...rest }),
    };
    let fetched: FetcherResponse | undefined;
    let response: Response;
    try {
      fetched = await this.fetcher(http!.url, init);
      if (!fetched.ok) throw await this.errorFromResponse(fetched);
      const body = await this.parseBody(fetched, undefined, options.context);
      if (!isObject(body)) throw new Error(`Expected JSON response body, but received: ${String(body)}`);
      response = { ...body, http: fetched };
    } catch (error) {
      this.didEncounterError(
        error as Error,
        new NodeFetchRequest(http!.url, init),
        fetched,
        options.context,
        {
          query,
          ...rest,
          http,
        },
      );
      throw error;
    }
    return this.respondWith(options, { query, ...rest, http }, response);
  }

  /** Apollo's `respond`: didReceiveResponse, then the subgraph's Cache-Control restricts the response's. */
  private async respondWith(options: Options, request: Options['request'], response: Response) {
    // Only a client's operation has these (not a health check or a schema load).
    const incoming = 'incomingRequestContext' in options ? options : undefined;
    const processed = this.didReceiveResponse
      ? await this.didReceiveResponse({
          response,
          request,
          context: options.context,
          pathInIncomingRequest: incoming?.pathInIncomingRequest,
        })
      : response;
    const policy: unknown = incoming?.incomingRequestContext.overallCachePolicy;
    if (this.honorSubgraphCacheControlHeader && isObject(policy) && 'restrict' in policy) {
      (policy as { restrict(hint: object): void }).restrict(
        cacheHintOf(response.http?.headers.get('cache-control')),
      );
    }
    return processed;
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
