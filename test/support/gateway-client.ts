import { expect } from '@jest/globals';

// A GraphQL client for suites that go through the gateway: JSON over fetch, as a browser
// would send it, with an optional bearer token, client address (X-Forwarded-For, for a
// gateway with TRUST_PROXY), request id and any other header.

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface Answer<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLError[];
}

export interface Caller {
  token?: string;
  /** The client's address as a trusted proxy would report it. */
  ip?: string;
  requestId?: string;
  /** Sent as they are (after the ones above): e.g. a malformed Authorization. */
  headers?: Record<string, string>;
}

export function gatewayClient(url: string) {
  async function call<T>(
    query: string,
    variables: Record<string, unknown> = {},
    caller: Caller = {},
  ): Promise<Answer<T>> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
        ...(caller.ip ? { 'x-forwarded-for': caller.ip } : {}),
        ...(caller.requestId ? { 'x-request-id': caller.requestId } : {}),
        ...caller.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T | null; errors?: GraphQLError[] };
    return { status: response.status, ...body };
  }

  /** The data of an answer that must have succeeded. */
  async function data<T>(query: string, variables?: Record<string, unknown>, caller?: Caller): Promise<T> {
    const answer = await call<T>(query, variables, caller);
    expect(answer.errors).toBeUndefined();
    return answer.data as T;
  }

  /** The one error of an answer that must have failed. */
  async function failure(
    query: string,
    variables?: Record<string, unknown>,
    caller?: Caller,
  ): Promise<GraphQLError> {
    const answer = await call(query, variables, caller);
    expect(answer.errors).toHaveLength(1);
    return answer.errors![0]!;
  }

  return { call, data, failure };
}
