import { hkdfSync } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ROLES, type Principal, type Role } from './principal.ts';

// Access tokens: short-lived JWTs the documents subgraph issues at sign-in and the
// gateway verifies on every request. Built-in tokens are HS256 with a key derived from
// SECRET_KEY by HKDF (its own `info`, so it is unrelated to the subgraph-signing key).
// An external OIDC issuer's tokens are checked against its JWKS instead.

export const ISSUER = 'docuvault';
export const AUDIENCE = 'docuvault';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const HKDF_INFO = 'docuvault/access-token/v1';

export type TokenKey = Uint8Array;

export function deriveTokenKey(secretKey: string): TokenKey {
  return new Uint8Array(hkdfSync('sha256', secretKey, 'docuvault', HKDF_INFO, 32));
}

export async function signAccessToken(
  key: TokenKey,
  user: { id: string; role: Role },
  ttlSeconds: number = ACCESS_TOKEN_TTL_SECONDS,
): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ roles: [user.role] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(key);
  return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
}

export interface TokenVerifier {
  /** The principal a token proves, or why it proves nothing. */
  verify(token: string): Promise<{ principal: Principal } | { refusal: string }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function principalFrom(payload: JWTPayload): Principal | string {
  if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) return 'the token names no user id';
  const claimed = Array.isArray(payload.roles) ? payload.roles : [];
  const roles = claimed.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r));
  return { kind: 'user', id: payload.sub, roles: roles.length > 0 ? roles : ['USER'] };
}

function reason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `the token's ${error.claim} is not accepted`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  return 'the token is malformed or signed by an unknown key';
}

function verifierWith(
  key: TokenKey | JWTVerifyGetKey,
  options: { issuer: string; audience?: string | undefined; algorithms: string[] },
): TokenVerifier {
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key as TokenKey, {
          issuer: options.issuer,
          ...(options.audience ? { audience: options.audience } : {}),
          algorithms: options.algorithms,
          requiredClaims: ['exp', 'sub'],
        });
        const principal = principalFrom(payload);
        return typeof principal === 'string' ? { refusal: principal } : { principal };
      } catch (error) {
        return { refusal: reason(error) };
      }
    },
  };
}

/** Verifies the tokens the documents subgraph issues. */
export const builtInVerifier = (key: TokenKey): TokenVerifier =>
  verifierWith(key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });

/**
 * Verifies an external OIDC issuer's tokens against its key set. Their `sub` must be
 * the user's id in our users table (a UUID) and `roles` may carry ADMIN.
 */
export const jwksVerifier = (
  keySet: JWTVerifyGetKey,
  issuer: string,
  audience: string | undefined,
): TokenVerifier =>
  verifierWith(keySet, { issuer, audience, algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'] });
