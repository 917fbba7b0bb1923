import { createHash, randomBytes } from 'node:crypto';

// A link's token: 32 random bytes from the operating system's CSPRNG (256 bits, base64url,
// 43 characters). The database keeps only its SHA-256, found by a unique index: with that
// much entropy a plain hash is enough (no salt or argon2 to slow guessing down), and the
// lookup compares hashes inside PostgreSQL, so no secret is compared in JavaScript at all.

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const hashLinkToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

/** Whether `token` could be one we issued: anything else is refused without a query. */
export const isLinkTokenShaped = (token: string): boolean => TOKEN_SHAPE.test(token);
