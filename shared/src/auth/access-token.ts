import { hkdfSync } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { v5 as uuidV5 } from 'uuid';
import { isUserId, ROLES, type Principal, type Role } from './principal.ts';

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

/** What a valid token proves: who, and when it was issued (Unix seconds; unknown without `iat`). */
export interface Verified {
  principal: Principal;
  issuedAt: number | undefined;
}

export interface TokenVerifier {
  /** The principal a token proves, or why it proves nothing. */
  verify(token: string): Promise<Verified | { refusal: string }>;
}

const issuedAtOf = (payload: JWTPayload): number | undefined =>
  typeof payload.iat === 'number' && Number.isFinite(payload.iat) ? Math.floor(payload.iat) : undefined;

const rolesOf = (payload: JWTPayload): Role[] => {
  const claimed = Array.isArray(payload.roles) ? payload.roles : [];
  const roles = claimed.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r));
  return roles.length > 0 ? roles : ['USER'];
};

/** Our own tokens name the user's id. */
function principalFrom(payload: JWTPayload): Principal | string {
  if (typeof payload.sub !== 'string' || !isUserId(payload.sub)) return 'the token names no user id';
  return { kind: 'user', id: payload.sub, roles: rolesOf(payload) };
}

/** Names the user ids of external identities (UUIDv5 of issuer and subject). */
const EXTERNAL_NAMESPACE = 'f1d4a3c2-5b6e-4f70-9a8b-7c6d5e4f3a21';

/**
 * An external issuer's subject is any string: its user id here is derived from issuer
 * and subject, so it is stable, cannot collide with ours (random v4) and needs no
 * mapping table. The email claim (when verified) names the account created on first sight.
 */
export function externalPrincipalFrom(payload: JWTPayload): Principal | string {
  if (typeof payload.sub !== 'string' || payload.sub === '') return 'the token names no subject';
  if (typeof payload.iss !== 'string') return 'the token names no issuer';
  const id = uuidV5(`${payload.iss}|${payload.sub}`, EXTERNAL_NAMESPACE);
  const claimed = typeof payload.email === 'string' && payload.email_verified !== false ? payload.email : '';
  return { kind: 'user', id, roles: rolesOf(payload), email: claimed, issuedAt: issuedAtOf(payload) };
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
  toPrincipal: (payload: JWTPayload) => Principal | string = principalFrom,
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
        const principal = toPrincipal(payload);
        return typeof principal === 'string'
          ? { refusal: principal }
          : { principal, issuedAt: issuedAtOf(payload) };
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
 * Verifies an external OIDC issuer's tokens against its key set; see
 * externalPrincipalFrom for who they name. `roles` may carry ADMIN.
 */
export const jwksVerifier = (
  keySet: JWTVerifyGetKey,
  issuer: string,
  audience: string | undefined,
): TokenVerifier =>
  verifierWith(
    keySet,
    { issuer, audience, algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'] },
    externalPrincipalFrom,
  );
