import type { AuditOrigin } from '@docuvault/shared/audit/audit-log';
import { requireUser, type Principal } from '@docuvault/shared/auth/principal';
import { AppError, badInput, notFound } from '@docuvault/shared/errors/index';
import type { EntityManager } from '@mikro-orm/postgresql';
import { findUserIdByEmail } from '../accounts/users.repository.ts';
import { normaliseEmail } from '../accounts/credentials.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { isUniqueViolation } from '../data/query-helpers.ts';
import { parseId } from '../documents/input.ts';
import { findGroupsByIds, isMember } from '../groups/groups.repository.ts';
import {
  deleteShareRow,
  findShareOf,
  insertShare,
  lockOwnShare,
  lockTargetOwner,
  setSharePermission,
  type Grantee,
  type ShareRecord,
  type ShareTarget,
} from './shares.repository.ts';
import { onlyOwnerMayShare } from './sharing.errors.ts';
import { permissionOfRole, sharedDocumentRoles, sharedFolderRoles, type ShareRole } from './visibility.ts';

export interface SharingContext {
  readonly em: EntityManager;
  readonly principal: Principal;
  readonly origin: AuditOrigin;
}

export interface ShareInput {
  targetId: string;
  userEmail?: string | null;
  groupId?: string | null;
  role: ShareRole;
}

const label = (kind: ShareTarget['kind']) => (kind === 'document' ? 'Document' : 'Folder');

/** The target must be the sharer's; one shared with them is FORBIDDEN, anything else NOT_FOUND. */
async function requireOwnTarget(em: EntityManager, sharer: string, target: ShareTarget): Promise<void> {
  const found = await lockTargetOwner(em, target);
  if (found?.ownerId === sharer) return;
  if (found) {
    const roles =
      target.kind === 'document'
        ? await sharedDocumentRoles(em, sharer, [target.id])
        : await sharedFolderRoles(em, sharer, [target.id]);
    if (roles.has(target.id)) throw onlyOwnerMayShare(target.kind);
  }
  throw notFound(label(target.kind), target.id);
}

/** Exactly one grantee; a user by email (not the sharer), a group the sharer belongs to. */
async function resolveGrantee(em: EntityManager, sharer: string, input: ShareInput): Promise<Grantee> {
  const hasEmail = input.userEmail != null;
  const hasGroup = input.groupId != null;
  if (hasEmail === hasGroup) {
    throw badInput('give exactly one of input.userEmail and input.groupId', { argument: 'input' });
  }
  if (hasGroup) {
    const groupId = parseId(input.groupId ?? '', 'input.groupId');
    const exists = (await findGroupsByIds(em, [groupId])).has(groupId);
    if (!exists || !(await isMember(em, groupId, sharer))) throw notFound('Group', groupId);
    return { kind: 'group', id: groupId };
  }
  const email = normaliseEmail(input.userEmail ?? '');
  const userId = await findUserIdByEmail(em, email);
  if (!userId)
    throw new AppError('NOT_FOUND', `no user has the email ${email}`, { argument: 'input.userEmail' });
  if (userId === sharer) throw badInput('you cannot share with yourself', { argument: 'input.userEmail' });
  return { kind: 'user', id: userId };
}

const grantDetails = (target: ShareTarget, grantee: Grantee, role: ShareRole) => ({
  [target.kind === 'document' ? 'documentId' : 'folderId']: target.id,
  [grantee.kind === 'user' ? 'userId' : 'groupId']: grantee.id,
  role,
});

/** Creates the share, or sets the role of the one that exists for this target and grantee. */
export async function share(
  context: SharingContext,
  kind: ShareTarget['kind'],
  input: ShareInput,
): Promise<ShareRecord> {
  const sharer = requireUser(context.principal).id;
  const target: ShareTarget = { kind, id: parseId(input.targetId, 'input.targetId') };
  try {
    return await context.em.transactional(async (em) => {
      await requireOwnTarget(em, sharer, target);
      const grantee = await resolveGrantee(em, sharer, input);
      const existing = await findShareOf(em, target, grantee);
      const permission = permissionOfRole(input.role);
      const record = existing
        ? await setSharePermission(em, existing.id, permission)
        : await insertShare(em, target, grantee, permission, sharer);
      await recordAudit(em, context.origin, {
        actorId: sharer,
        action: existing ? 'UPDATE_SHARE' : 'CREATE_SHARE',
        target: `share:${record.id}`,
        details: grantDetails(target, grantee, input.role),
      });
      return record;
    });
  } catch (error) {
    // Two concurrent first shares with the same grantee: the second finds the first's row taken.
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', 'this was being shared with them at the same moment; try again');
    }
    throw error;
  }
}

const targetOf = (record: ShareRecord): ShareTarget =>
  record.documentId
    ? { kind: 'document', id: record.documentId }
    : { kind: 'folder', id: record.folderId ?? '' };
const granteeOf = (record: ShareRecord): Grantee =>
  record.granteeUserId
    ? { kind: 'user', id: record.granteeUserId }
    : { kind: 'group', id: record.granteeGroupId ?? '' };

export async function updateShare(
  context: SharingContext,
  idInput: string,
  role: ShareRole,
): Promise<ShareRecord> {
  const owner = requireUser(context.principal).id;
  const id = parseId(idInput, 'id');
  return context.em.transactional(async (em) => {
    const existing = await lockOwnShare(em, owner, id);
    if (!existing) throw notFound('Share', id);
    const record = await setSharePermission(em, id, permissionOfRole(role));
    await recordAudit(em, context.origin, {
      actorId: owner,
      action: 'UPDATE_SHARE',
      target: `share:${id}`,
      details: { ...grantDetails(targetOf(record), granteeOf(record), role), previousRole: existing.role },
    });
    return record;
  });
}

export async function revokeShare(context: SharingContext, idInput: string): Promise<boolean> {
  const owner = requireUser(context.principal).id;
  const id = parseId(idInput, 'id');
  return context.em.transactional(async (em) => {
    const existing = await lockOwnShare(em, owner, id);
    if (!existing) return false;
    await deleteShareRow(em, id);
    await recordAudit(em, context.origin, {
      actorId: owner,
      action: 'REVOKE_SHARE',
      target: `share:${id}`,
      details: grantDetails(targetOf(existing), granteeOf(existing), existing.role),
    });
    return true;
  });
}
