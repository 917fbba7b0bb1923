import { createHash, randomBytes } from 'node:crypto';

// Refresh tokens are 32 random bytes (base64url, 43 characters). The database keeps
// only their SHA-256: a leaked table holds nothing a client could present. A plain hash
// (no salt, no argon2) is enough for 256 random bits and lets the token be looked up.

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface NewRefreshToken {
  /** What the client gets, once. */
  readonly token: string;
  /** What the database keeps (refresh_tokens.token_hash). */
  readonly hash: string;
}

export const hashRefreshToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

export function newRefreshToken(): NewRefreshToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** Whether `token` could be one we issued (anything else is refused without a query). */
export const isRefreshTokenShaped = (token: string): boolean => TOKEN_SHAPE.test(token);
