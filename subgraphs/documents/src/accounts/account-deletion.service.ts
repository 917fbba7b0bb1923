import { forgetProvisioned, NO_PASSWORD } from '@docuvault/shared/auth/provision';
import { requireAdmin, requireUser, type Principal } from '@docuvault/shared/auth/principal';
import { revokeAccessTokens } from '@docuvault/shared/auth/revocation';
import { notFound } from '@docuvault/shared/errors/index';
import type { DocumentsContext } from '../context.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { parseId } from '../documents/input.ts';
import {
  accountGone,
  deletionUnavailable,
  freshSignInRequired,
  lastAdmin,
  ownAccountByAdmin,
  wrongPassword,
} from './accounts.errors.ts';
import type { AccountsContext } from './accounts.service.ts';
import {
  countOtherAdmins,
  deleteUserRow,
  findDeletionTarget,
  holdingsOf,
  lockAdminChanges,
  recordAccountDeleted,
  queueObjectRemovals,
  type DeletionTarget,
} from './account-deletion.repository.ts';
import { parseSignIn } from './credentials.ts';
import { loginLimitsOf } from './login-limits.ts';
import { runObjectRemovals } from '../object-removals/object-removals.ts';
import { verifyPassword } from './passwords.ts';

export type DeletionContext = AccountsContext & Pick<DocumentsContext, 'store'>;

type DeletionAction = 'DELETE_ACCOUNT' | 'DELETE_USER';

/**
 * Deletes the signed-in user's account and everything in it. Local accounts confirm with
 * their password (a stolen access token alone cannot delete an account; attempts count
 * against the sign-in limits, as guesses do); an external identity, which has no password
 * here, with a token its issuer signed within ACCOUNT_DELETE_MAX_TOKEN_AGE_SECONDS.
 */
export async function deleteAccount(context: DeletionContext, password: string): Promise<boolean> {
  const self = requireUser(context.principal);
  const target = await findDeletionTarget(context.em, self.id, { lock: false });
  if (!target) throw accountGone();
  if (target.passwordHash === NO_PASSWORD) requireFreshToken(context, context.principal);
  else await requirePassword(context, target, password);
  await deleteUserAndData(context, target, { actorId: self.id, action: 'DELETE_ACCOUNT' });
  return true;
}

/** Admins only: deletes another user's account and everything in it. */
export async function deleteUser(context: DeletionContext, idInput: string): Promise<boolean> {
  const admin = requireAdmin(context.principal);
  const id = parseId(idInput, 'id');
  if (id === admin.id) throw ownAccountByAdmin();
  const target = await findDeletionTarget(context.em, id, { lock: false });
  if (!target) throw notFound('User', id);
  await deleteUserAndData(context, target, { actorId: admin.id, action: 'DELETE_USER' });
  return true;
}

function requireFreshToken(context: DeletionContext, principal: Principal): void {
  const maxAge = context.config.ACCOUNT_DELETE_MAX_TOKEN_AGE_SECONDS;
  const issuedAt = principal.kind === 'user' ? principal.issuedAt : undefined;
  const age = issuedAt === undefined ? Infinity : Date.now() / 1000 - issuedAt;
  if (!(age <= maxAge)) throw freshSignInRequired(maxAge);
}

async function requirePassword(context: DeletionContext, target: DeletionTarget, password: string) {
  const { email } = parseSignIn(target.email, password);
  await loginLimitsOf(context).consume(email, context.clientIp);
  if (await verifyPassword(target.passwordHash, password)) return;
  await recordAudit(context.em, context, {
    actorId: target.id,
    action: 'DELETE_ACCOUNT_FAILED',
    target: `user:${target.id}`,
    details: { reason: 'WRONG_PASSWORD' },
  });
  throw wrongPassword();
}

/**
 * The order, and why:
 * 1. Checks that can refuse (the last admin) run before anything changes, and again under
 *    the lock in step 3: a refusal leaves everything as it was.
 * 2. The access tokens are revoked (Redis, read by every gateway) before any row goes: a
 *    deletion whose revocation failed would leave tokens working for their whole life, so
 *    without Redis nothing is deleted (SERVICE_UNAVAILABLE). If step 3 then fails, the
 *    account stays and only its current access tokens are refused: its refresh token gets
 *    new ones, issued after the revocation.
 * 3. One transaction: the removal of every object of the user is queued (object_removals),
 *    the audit line written, the user's audit lines marked, and the users row deleted,
 *    which cascades to every row that belongs to them (quota, sessions, documents, …).
 *    Either all of it commits or none.
 * 4. Only then the objects: rows first, so no document is ever listed without its bytes.
 *    A store that fails here leaves the removal queued; the sweeper retries it until the
 *    store confirms, so no object outlives its account by more than a sweep interval
 *    after the store is back.
 */
async function deleteUserAndData(
  context: DeletionContext,
  target: DeletionTarget,
  audit: { actorId: string; action: DeletionAction },
): Promise<void> {
  if (target.role === 'ADMIN' && (await countOtherAdmins(context.em, target.id)) === 0) throw lastAdmin();

  const { config } = context;
  // Never shorter than our own tokens live, whatever the setting says.
  const revocationTtl = Math.max(config.ACCOUNT_REVOCATION_TTL_SECONDS, config.ACCESS_TOKEN_TTL_SECONDS);
  const revokedAt = await revokeAccessTokens(
    context.redis,
    config.REDIS_PREFIX,
    target.id,
    revocationTtl,
  ).catch((error: unknown) => {
    throw deletionUnavailable(error);
  });

  const removals = await context.em.transactional(async (em) => {
    await lockAdminChanges(em);
    const locked = await findDeletionTarget(em, target.id, { lock: true });
    if (!locked) throw notFound('User', target.id);
    if (locked.role === 'ADMIN' && (await countOtherAdmins(em, locked.id)) === 0) throw lastAdmin();
    const holdings = await holdingsOf(em, locked.id);
    const queued = await queueObjectRemovals(em, locked.id, `${audit.action}:${locked.id}`);
    await recordAudit(em, context, {
      actorId: audit.actorId,
      action: audit.action,
      target: `user:${locked.id}`,
      details: { role: locked.role, ...holdings, tokensRevokedAt: revokedAt },
    });
    await recordAccountDeleted(em, locked.id);
    await deleteUserRow(em, locked.id);
    return queued;
  });
  forgetProvisioned(target.id);

  await runObjectRemovals({ em: context.em, store: context.store, logger: context.logger }, removals);
}
