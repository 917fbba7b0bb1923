import type { ServerResponse } from 'node:http';
import {
  builtInVerifier,
  deriveTokenKey,
  ISSUER,
  jwksVerifier,
  type TokenVerifier,
} from '@docuvault/shared/auth/access-token';
import { ANONYMOUS, GUEST, type Principal } from '@docuvault/shared/auth/principal';
import type { GatewayConfig } from '@docuvault/shared/config/index';
import { ConfigError } from '@docuvault/shared/config/load-config';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { Request, RequestHandler } from 'express';
import { createRemoteJWKSet, decodeJwt } from 'jose';
import { sendRequestError } from '../limits/limit-errors.ts';
import type { RevocationCheck } from './revocation-check.ts';

// The gateway is the one place that reads a client's credentials. It verifies the
// bearer token and states the result to the subgraphs as a principal inside its signed
// request (data-source.ts); a request with a token that fails is refused here, before
// any subgraph is called or any upload byte is read. So is a token whose account has
// been deleted since it was issued (revocation-check.ts).

export type AuthConfig = Pick<
  GatewayConfig,
  'SECRET_KEY' | 'ALLOW_ANONYMOUS' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE'
>;

/** Refused from the first request the revocation check sees (see revocation-check.ts for the bound). */
const ACCOUNT_DELETED = 'the account of this token has been deleted';

const principals = new WeakMap<Request, Principal>();

/** The principal the auth middleware established for `req` (guest when it did not run). */
export const principalOf = (req: Request): Principal => principals.get(req) ?? GUEST;

export type Authentication = { principal: Principal } | { refusal: string };

export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Authentication>;
}

export function createAuthenticator(config: AuthConfig, revocations: RevocationCheck): Authenticator {
  const builtIn = builtInVerifier(deriveTokenKey(config.SECRET_KEY));
  let external: TokenVerifier | undefined;
  if (config.AUTH_JWKS_URL) {
    if (!config.AUTH_ISSUER) {
      throw new ConfigError('gateway', ['AUTH_ISSUER: required when AUTH_JWKS_URL is set']);
    }
    external = jwksVerifier(
      createRemoteJWKSet(new URL(config.AUTH_JWKS_URL)),
      config.AUTH_ISSUER,
      config.AUTH_AUDIENCE,
    );
  }
  const noToken: Principal = config.ALLOW_ANONYMOUS ? ANONYMOUS : GUEST;

  // Which key checks a token is chosen by its (not yet trusted) issuer; the verifier
  // then checks the issuer again, with the signature.
  const verifierFor = (token: string): TokenVerifier => {
    try {
      return external && decodeJwt(token).iss !== ISSUER ? external : builtIn;
    } catch {
      return builtIn;
    }
  };

  return {
    async authenticate(authorization) {
      if (authorization === undefined || authorization === '') return { principal: noToken };
      const token = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(authorization)?.[1];
      if (token === undefined) return { refusal: 'Authorization must be "Bearer <access token>"' };
      const verified = await verifierFor(token).verify(token);
      if ('refusal' in verified) return verified;
      const { principal, issuedAt } = verified;
      if (principal.kind === 'user' && (await revocations.isRevoked(principal.id, issuedAt))) {
        return { refusal: ACCOUNT_DELETED };
      }
      return { principal };
    },
  };
}

/** A bad token's answer: 401 with a GraphQL-shaped UNAUTHENTICATED error. */
export function refuseToken(logger: Logger, res: ServerResponse, refusal: string): void {
  logger.info({ refusal }, 'refused an access token');
  sendRequestError(
    res,
    401,
    { code: 'UNAUTHENTICATED', message: `Not signed in: ${refusal}` },
    { 'www-authenticate': `Bearer error="invalid_token", error_description="${refusal}"` },
  );
}

/** Refuses a bad token with 401 and a GraphQL-shaped UNAUTHENTICATED error. */
export function authMiddleware(authenticator: Authenticator, logger: Logger): RequestHandler {
  return (req, res, next) => {
    authenticator.authenticate(req.headers.authorization).then(
      (result) => {
        if ('principal' in result) {
          principals.set(req, result.principal);
          return next();
        }
        refuseToken(logger, res, result.refusal);
      },
      (error: unknown) => next(error),
    );
  };
}
