import type { Request } from 'express';
import {
  ANONYMOUS,
  CLIENT_IP_HEADER,
  decodePrincipal,
  GUEST,
  PRINCIPAL_HEADER,
  type Principal,
} from './principal.ts';

export interface RequestIdentity {
  readonly principal: Principal;
  /** The client's address as the gateway saw it, for audit lines and per-IP limits. */
  readonly clientIp: string | undefined;
}

const header = (req: Request, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * Who a subgraph request acts for. With signatures required the gateway signed these
 * headers, so they are the gateway's word; a request without the header is a guest.
 * Without signatures (tests, direct calls in development) a request without the header
 * works in the anonymous vault, as before accounts existed.
 */
export function identityOf(req: Request, signaturesRequired: boolean): RequestIdentity {
  const stated = header(req, PRINCIPAL_HEADER);
  const fallback = signaturesRequired ? GUEST : ANONYMOUS;
  return {
    principal: stated === undefined ? fallback : (decodePrincipal(stated) ?? GUEST),
    clientIp: header(req, CLIENT_IP_HEADER),
  };
}
