import type { AuditOrigin } from '@docuvault/shared/audit/audit-log';
import { isAdmin, requireAdmin, requireUser, type Principal } from '@docuvault/shared/auth/principal';
import { AppError, notFound } from '@docuvault/shared/errors/index';
import type { EntityManager } from '@mikro-orm/postgresql';
import { findUserIdByEmail } from '../accounts/users.repository.ts';
import { normaliseEmail } from '../accounts/credentials.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { isUniqueViolation } from '../data/query-helpers.ts';
import { parseId, parseName } from '../documents/input.ts';
import {
  deleteGroupRow,
  deleteMember,
  findGroupsByIds,
  insertGroup,
  insertMember,
  listGroups,
  listGroupsOf,
  renameGroupRow,
  type GroupRecord,
} from './groups.repository.ts';

export const MAX_GROUP_NAME_LENGTH = 255;

export interface GroupsContext {
  readonly em: EntityManager;
  readonly principal: Principal;
  readonly origin: AuditOrigin;
}

const nameTaken = (name: string) =>
  new AppError('CONFLICT', `a group named "${name}" already exists`, { argument: 'name' });

/** Runs a group write in one transaction with its audit line; a taken name is CONFLICT. */
async function write<T>(
  context: GroupsContext,
  name: string | undefined,
  work: (em: EntityManager, actorId: string) => Promise<T>,
): Promise<T> {
  const { id: actorId } = requireAdmin(context.principal);
  try {
    return await context.em.transactional((em) => work(em, actorId));
  } catch (error) {
    if (name !== undefined && isUniqueViolation(error)) throw nameTaken(name);
    throw error;
  }
}

export function myGroups(context: GroupsContext): Promise<GroupRecord[]> {
  return listGroupsOf(context.em, requireUser(context.principal).id);
}

export function allGroups(context: GroupsContext): Promise<GroupRecord[]> {
  requireAdmin(context.principal);
  return listGroups(context.em);
}

export function createGroup(context: GroupsContext, nameInput: string): Promise<GroupRecord> {
  const name = parseName(nameInput, 'name', MAX_GROUP_NAME_LENGTH);
  return write(context, name, async (em, actorId) => {
    const group = await insertGroup(em, name);
    await recordAudit(em, context.origin, {
      actorId,
      action: 'CREATE_GROUP',
      target: `group:${group.id}`,
      details: { name },
    });
    return group;
  });
}

export function renameGroup(
  context: GroupsContext,
  idInput: string,
  nameInput: string,
): Promise<GroupRecord> {
  requireAdmin(context.principal);
  const id = parseId(idInput, 'id');
  const name = parseName(nameInput, 'name', MAX_GROUP_NAME_LENGTH);
  return write(context, name, async (em, actorId) => {
    const group = await renameGroupRow(em, id, name);
    if (!group) throw notFound('Group', id);
    await recordAudit(em, context.origin, {
      actorId,
      action: 'RENAME_GROUP',
      target: `group:${id}`,
      details: { name },
    });
    return group;
  });
}

export function deleteGroup(context: GroupsContext, idInput: string): Promise<boolean> {
  requireAdmin(context.principal);
  const id = parseId(idInput, 'id');
  return write(context, undefined, async (em, actorId) => {
    const deleted = await deleteGroupRow(em, id);
    if (deleted) {
      await recordAudit(em, context.origin, { actorId, action: 'DELETE_GROUP', target: `group:${id}` });
    }
    return deleted;
  });
}

async function lockedGroup(em: EntityManager, id: string): Promise<GroupRecord> {
  const group = (await findGroupsByIds(em, [id])).get(id);
  if (!group) throw notFound('Group', id);
  return group;
}

export function addGroupMember(
  context: GroupsContext,
  groupIdInput: string,
  emailInput: string,
): Promise<GroupRecord> {
  requireAdmin(context.principal);
  const groupId = parseId(groupIdInput, 'groupId');
  const email = normaliseEmail(emailInput);
  return write(context, undefined, async (em, actorId) => {
    const group = await lockedGroup(em, groupId);
    const userId = await findUserIdByEmail(em, email);
    if (!userId) throw new AppError('NOT_FOUND', `no user has the email ${email}`, { argument: 'email' });
    if (await insertMember(em, groupId, userId)) {
      await recordAudit(em, context.origin, {
        actorId,
        action: 'ADD_GROUP_MEMBER',
        target: `group:${groupId}`,
        details: { userId },
      });
    }
    return group;
  });
}

export function removeGroupMember(
  context: GroupsContext,
  groupIdInput: string,
  userIdInput: string,
): Promise<GroupRecord> {
  requireAdmin(context.principal);
  const groupId = parseId(groupIdInput, 'groupId');
  const userId = parseId(userIdInput, 'userId');
  return write(context, undefined, async (em, actorId) => {
    const group = await lockedGroup(em, groupId);
    if (await deleteMember(em, groupId, userId)) {
      await recordAudit(em, context.origin, {
        actorId,
        action: 'REMOVE_GROUP_MEMBER',
        target: `group:${groupId}`,
        details: { userId },
      });
    }
    return group;
  });
}

/** Only admins see who is in a group. */
export const seesMembers = (principal: Principal): boolean => isAdmin(principal);
