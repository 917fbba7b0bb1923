import { requireUser, type Role } from '@docuvault/shared/auth/principal';
import { recordAudit } from '../audit/audit.repository.ts';
import { emailTaken, invalidRefreshToken, wrongCredentials } from './accounts.errors.ts';
import {
  authPayload,
  storeRefreshToken,
  type AccountsContext,
  type AuthPayload,
} from './accounts.service.ts';
import { parseEmail, parsePassword, parseSignIn } from './credentials.ts';
import { loginLimitsOf } from './login-limits.ts';
import { hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { hashRefreshToken, isRefreshTokenShaped } from './refresh-tokens.ts';
import {
  findRefreshToken,
  lockRefreshToken,
  markRotated,
  revokeAllOfUser,
  revokeFamily,
} from './sessions.repository.ts';
import { findCredentials, insertUser, updatePasswordHash } from './users.repository.ts';

/**
 * Creates the account (user, quota, audit line, first refresh token in one transaction)
 * and signs it in. A taken email is CONFLICT: registration cannot hide which emails
 * exist (sign-in does).
 */
export async function register(
  context: AccountsContext,
  input: { email: string; password: string },
): Promise<AuthPayload> {
  const email = parseEmail(input.email);
  const password = parsePassword(input.password);
  await loginLimitsOf(context).consumeAddress(context.clientIp);
  // Before the transaction: hashing takes tens of milliseconds and holds no lock.
  const passwordHash = await hashPassword(password);
  const { user, refresh } = await context.em.transactional(async (em) => {
    const created = await insertUser(em, {
      email,
      passwordHash,
      limitBytes: context.config.QUOTA_DEFAULT_BYTES,
    });
    if (!created) throw emailTaken();
    await recordAudit(em, context, {
      actorId: created.id,
      action: 'REGISTER',
      target: `user:${created.id}`,
      details: { role: created.role },
    });
    return { user: created, refresh: await storeRefreshToken(em, context, created.id, null) };
  });
  return authPayload(context, user, refresh);
}

/**
 * Signs in: a new session (refresh-token family). An unknown email and a wrong password
 * answer alike, in about the same time; attempts are rate-limited per email and address.
 */
export async function login(
  context: AccountsContext,
  input: { email: string; password: string },
): Promise<AuthPayload> {
  const { email, password } = parseSignIn(input.email, input.password);
  const limits = loginLimitsOf(context);
  await limits.consume(email, context.clientIp);

  const credentials = await findCredentials(context.em, email);
  // Verified even when the email is unknown (against a dummy hash): the same time either way.
  const matches = await verifyPassword(credentials?.passwordHash, password);
  if (!credentials || !matches) {
    await recordAudit(context.em, context, {
      actorId: credentials?.id ?? null,
      action: 'SIGN_IN_FAILED',
      target: credentials ? `user:${credentials.id}` : undefined,
      details: { email, reason: credentials ? 'WRONG_PASSWORD' : 'UNKNOWN_EMAIL' },
    });
    throw wrongCredentials();
  }
  const user = { id: credentials.id, role: credentials.role };
  await limits.forgetEmail(email).catch((error: unknown) => {
    context.logger.warn({ err: error }, 'could not clear the sign-in count of an email');
  });
  if (needsRehash(credentials.passwordHash)) {
    await updatePasswordHash(context.em, user.id, await hashPassword(password));
  }
  const refresh = await context.em.transactional(async (em) => {
    const stored = await storeRefreshToken(em, context, user.id, null);
    await recordAudit(em, context, {
      actorId: user.id,
      action: 'SIGN_IN',
      target: `user:${user.id}`,
      details: { familyId: stored.familyId },
    });
    return stored;
  });
  return authPayload(context, user, refresh);
}

type Refresh =
  { kind: 'refused' } | { kind: 'rotated'; user: { id: string; role: Role }; token: string; expiresAt: Date };

/**
 * Rotation: the presented token is revoked and replaced by a new one of the same family.
 * A token that was already rotated or revoked is being replayed (it was copied, by the
 * client's attacker or the attacker's client): the whole family is revoked, so the
 * newest token, whoever holds it, is refused too. That revocation must be committed
 * although the answer is an error, so the transaction returns instead of throwing.
 */
export async function refreshSession(context: AccountsContext, presented: string): Promise<AuthPayload> {
  if (!isRefreshTokenShaped(presented)) throw invalidRefreshToken();
  const outcome = await context.em.transactional(async (em): Promise<Refresh> => {
    const current = await lockRefreshToken(em, hashRefreshToken(presented));
    if (!current) return { kind: 'refused' };
    if (current.revoked) {
      const revoked = await revokeFamily(em, current.familyId);
      await recordAudit(em, context, {
        actorId: current.userId,
        action: 'REFRESH_TOKEN_REUSED',
        target: `user:${current.userId}`,
        details: { familyId: current.familyId, tokenId: current.id, revoked },
      });
      return { kind: 'refused' };
    }
    if (current.expired) return { kind: 'refused' };
    const next = await storeRefreshToken(em, context, current.userId, current.familyId);
    await markRotated(em, current.id, next.id);
    return {
      kind: 'rotated',
      user: { id: current.userId, role: current.role },
      token: next.token,
      expiresAt: next.expiresAt,
    };
  });
  if (outcome.kind === 'refused') throw invalidRefreshToken();
  return authPayload(context, outcome.user, outcome);
}

/**
 * Ends the session the refresh token belongs to (its whole family). Idempotent: an
 * unknown or already revoked token answers true as well. Access tokens already issued
 * stay valid until they expire.
 */
export async function logout(context: AccountsContext, presented: string): Promise<boolean> {
  if (!isRefreshTokenShaped(presented)) return true;
  const token = await findRefreshToken(context.em, hashRefreshToken(presented));
  if (!token) return true;
  await context.em.transactional(async (em) => {
    const revoked = await revokeFamily(em, token.familyId);
    if (revoked === 0) return;
    await recordAudit(em, context, {
      actorId: token.userId,
      action: 'SIGN_OUT',
      target: `user:${token.userId}`,
      details: { familyId: token.familyId },
    });
  });
  return true;
}

/** Ends every session of the signed-in user (all refresh tokens); access tokens run out on their own. */
export async function logoutEverywhere(context: AccountsContext): Promise<boolean> {
  const user = requireUser(context.principal);
  await context.em.transactional(async (em) => {
    const revoked = await revokeAllOfUser(em, user.id);
    await recordAudit(em, context, {
      actorId: user.id,
      action: 'SIGN_OUT_EVERYWHERE',
      target: `user:${user.id}`,
      details: { revoked },
    });
  });
  return true;
}
