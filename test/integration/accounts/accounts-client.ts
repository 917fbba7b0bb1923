import { gatewayClient, type Caller } from '../../support/gateway-client.ts';

// The accounts suites' client: the gateway client (test/support/gateway-client.ts) with
// the accounts operations.

export type { Answer, Caller, GraphQLError } from '../../support/gateway-client.ts';

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
  const { call, data, failure } = gatewayClient(url);
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
