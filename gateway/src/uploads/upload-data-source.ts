import { randomUUID } from 'node:crypto';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { SubgraphDataSource, type SubgraphDataSourceConfig } from '../data-source.ts';
import { signMultipart } from '../subgraph-calls/index.ts';
import type { IncomingUploads } from './incoming-uploads.ts';
import { hopMapJson, sendMultipartHop, type HopPlan } from './multipart-hop.ts';
import { placeholderFor, segmentsOf, valueAt, withValueAt } from './operations-map.ts';
import { malformed } from './upload-errors.ts';

export interface UploadGatewayContext extends GatewayContext {
  /** Present when the client sent a GraphQL multipart request. */
  uploads?: IncomingUploads | undefined;
}

/** Ties a fetch (seen by willSendRequest) to its HTTP call (seen by the fetcher); never leaves the gateway. */
const HOP_HEADER = 'x-docuvault-upload-hop';

/**
 * The files a fetch uses: its variables hold the placeholders the middleware put where
 * the client's map said. Answers the fetch's own map (same paths: the query planner keeps
 * variable names) and its variables with null in place of each file, as the spec wants.
 */
export function planHop(uploads: IncomingUploads, variables: Record<string, unknown>) {
  const map = new Map<string, string[]>();
  let nulled: unknown = variables;
  for (const [key, paths] of uploads.files) {
    for (const path of paths) {
      const segments = segmentsOf(path).slice(1);
      if (valueAt(variables, segments) !== placeholderFor(key)) continue;
      nulled = withValueAt(nulled, segments, null);
      map.set(key, [...(map.get(key) ?? []), path]);
    }
  }
  return { map, variables: nulled as Record<string, unknown> };
}

/**
 * A subgraph data source that forwards uploads. A fetch whose variables carry files is
 * sent as a multipart request streaming the client's file parts (multipart-hop.ts),
 * signed over its `operations` and `map`. Every other fetch goes through the base
 * class's fetcher, unchanged.
 */
export class UploadingDataSource extends SubgraphDataSource {
  private readonly hops = new Map<string, HopPlan>();

  constructor(config: SubgraphDataSourceConfig & { uploadIdleTimeoutMs: number }) {
    super(config);
    const plain: Fetcher = this.fetcher;
    this.fetcher = (url, init) => {
      const token = init?.headers?.[HOP_HEADER];
      const plan = token ? this.hops.get(token) : undefined;
      if (!token || !plan || !init) return plain(url, init);
      this.hops.delete(token);
      const {
        [HOP_HEADER]: _token,
        'content-type': _type,
        'content-length': _length,
        ...headers
      } = init.headers ?? {};
      const fields = { operations: String(init.body ?? ''), map: hopMapJson(plan) };
      const method = init.method ?? 'POST';
      const signed = this.calls ? signMultipart(headers, { url, method, ...fields }, this.calls) : headers;
      return sendMultipartHop(url, signed, fields, plan, config.uploadIdleTimeoutMs);
    };
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<UploadGatewayContext>): void {
    super.willSendRequest(options);
    const { request, context } = options;
    const uploads = context.uploads;
    // Refused as a whole: no later call of the request goes out (the client gets the refusal alone).
    if (uploads?.refusal) throw uploads.refusal;
    if (!uploads || !request.variables) return;
    const { map, variables } = planHop(uploads, request.variables);
    if (map.size === 0) return;
    if (map.size !== uploads.files.size) {
      // The files are never spooled, so one subgraph request carries them all and ends its
      // body only when the client's body is whole (multipart-hop.ts): that is what makes a
      // refused request leave nothing. Files split over several requests cannot be held so.
      const apart = [...uploads.files.keys()].filter((key) => !map.has(key));
      const error = malformed(
        `the file part${apart.length > 1 ? 's' : ''} ${apart.map((k) => `‘${k}’`).join(', ')} ` +
          'would not go to the service with the others: all files of one request must go to one ' +
          'service call (send mutations of other services, or files no field uses, in requests of their own)',
      );
      uploads.refuse(error);
      throw error;
    }
    uploads.claim(map.keys());
    request.variables = variables;
    const token = randomUUID();
    this.hops.set(token, { uploads, map });
    uploads.onDispose(() => this.hops.delete(token));
    request.http?.headers.set(HOP_HEADER, token);
  }

  /**
   * A subgraph refuses a malformed upload before execution, with a 4xx and a GraphQL
   * error body: keep that error's code (Apollo's default knows only 401 and 403).
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const fallback = await super.errorFromResponse(response);
    const body = (fallback.extensions.response as { body?: unknown } | undefined)?.body;
    const first = (body as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] } | undefined)
      ?.errors?.[0];
    if (typeof first?.message !== 'string' || typeof first.extensions?.code !== 'string') return fallback;
    return new GraphQLError(first.message, { extensions: { ...first.extensions } });
  }
}
