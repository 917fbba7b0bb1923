import { signAccessToken, deriveTokenKey } from '@docuvault/shared/auth/access-token';
import type { Role } from '@docuvault/shared/auth/principal';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentsContext } from '../context.ts';
import { insertRefreshToken } from './sessions.repository.ts';
import { newRefreshToken } from './refresh-tokens.ts';

// What the accounts services need of a request, and the pieces they share: issuing a
// session (access + refresh token) and writing an audit line for this request.

export type AccountsContext = Pick<
  DocumentsContext,
  'em' | 'config' | 'redis' | 'logger' | 'principal' | 'clientIp' | 'requestId'
>;

/** What register, login and refreshToken answer; `user` is loaded only when asked for. */
export interface AuthPayload {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  userId: string;
}

/** A refresh token stored in `em`'s transaction: in `familyId`, or a new family (null). */
export async function storeRefreshToken(
  em: EntityManager,
  context: AccountsContext,
  userId: string,
  familyId: string | null,
): Promise<{ token: string; id: string; familyId: string; expiresAt: Date }> {
  const { token, hash } = newRefreshToken();
  const stored = await insertRefreshToken(em, {
    userId,
    tokenHash: hash,
    familyId,
    ttlDays: context.config.REFRESH_TOKEN_TTL_DAYS,
  });
  return { token, ...stored };
}

/** The payload for a refresh token already stored (after its transaction committed). */
export async function authPayload(
  context: AccountsContext,
  user: { id: string; role: Role },
  refresh: { token: string; expiresAt: Date },
): Promise<AuthPayload> {
  const access = await signAccessToken(
    deriveTokenKey(context.config.SECRET_KEY),
    user,
    context.config.ACCESS_TOKEN_TTL_SECONDS,
  );
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt,
    userId: user.id,
  };
}
