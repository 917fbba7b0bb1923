import { expect } from '@jest/globals';

// A GraphQL client for the accounts suites: talks to the gateway as a browser would,
// with an optional bearer token, client address (X-Forwarded-For, for a gateway with
// TRUST_PROXY) and request id.

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
}

export interface AuthPayload {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: { id: string; email: string; role: 'USER' | 'ADMIN'; createdAt: string; quota: Quota };
}

export interface Quota {
  usedBytes: number;
  limitBytes: number;
}

const PAYLOAD = `accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt
  user { id email role createdAt quota { usedBytes limitBytes } }`;

export const REGISTER = `mutation ($email: String!, $password: String!) {
  register(email: $email, password: $password) { ${PAYLOAD} } }`;
export const LOGIN = `mutation ($email: String!, $password: String!) {
  login(email: $email, password: $password) { ${PAYLOAD} } }`;
export const REFRESH = `mutation ($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { ${PAYLOAD} } }`;
export const LOGOUT = `mutation ($refreshToken: String!) { logout(refreshToken: $refreshToken) }`;
export const LOGOUT_EVERYWHERE = `mutation { logoutEverywhere }`;
export const ME = `{ me { id email role createdAt quota { usedBytes limitBytes } } }`;

export const PASSWORD = 'correct horse battery staple';

export function accountsClient(url: string) {
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

  return {
    call,
    data,
    failure,
    register: async (email: string, password = PASSWORD, caller?: Caller) =>
      (await data<{ register: AuthPayload }>(REGISTER, { email, password }, caller)).register,
    login: async (email: string, password = PASSWORD, caller?: Caller) =>
      (await data<{ login: AuthPayload }>(LOGIN, { email, password }, caller)).login,
    refresh: (refreshToken: string, caller?: Caller) =>
      call<{ refreshToken: AuthPayload }>(REFRESH, { refreshToken }, caller),
  };
}

export type AccountsClient = ReturnType<typeof accountsClient>;

let counter = 0;
/** A fresh address for this test run. */
export const uniqueEmail = (label: string): string =>
  `${label}-${process.pid}-${(counter += 1)}@example.test`;
