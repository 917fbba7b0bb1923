import type { Principal } from '@docuvault/shared/auth/principal';

export interface GatewayContext {
  requestId?: string;
  /** Who the request acts for, as the auth middleware verified it (auth/authenticate.ts). */
  principal?: Principal;
  /** The client's address (Express's req.ip, which honours TRUST_PROXY). */
  clientIp?: string | undefined;
  /** X-Ops-Token as the client sent it: ops checks it itself, the gateway only carries it. */
  opsToken?: string | undefined;
}
