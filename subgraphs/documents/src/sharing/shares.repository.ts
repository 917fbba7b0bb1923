import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import { isoTimestamp, uuidArray } from '../data/query-helpers.ts';
import { roleOfPermission, type ShareRole } from './visibility.ts';

export type ShareTarget = { kind: 'document'; id: string } | { kind: 'folder'; id: string };
export type Grantee = { kind: 'user'; id: string } | { kind: 'group'; id: string };

export interface ShareRecord {
  id: string;
  documentId: string | null;
  folderId: string | null;
  granteeUserId: string | null;
  granteeGroupId: string | null;
  role: ShareRole;
  createdAt: Date;
}

interface ShareRow extends Omit<ShareRecord, 'role' | 'createdAt'> {
  permission: string;
  createdAt: string;
}

const SHARE_COLUMNS: RawBuilder<unknown> = sql`s.id, s.document_id as "documentId", s.folder_id as "folderId",
  s.grantee_user_id as "granteeUserId", s.grantee_group_id as "granteeGroupId", s.permission,
  ${isoTimestamp('s.created_at')} as "createdAt"`;

const toShareRecord = ({ permission, createdAt, ...row }: ShareRow): ShareRecord => ({
  ...row,
  role: roleOfPermission(permission),
  createdAt: new Date(createdAt),
});

/** The owner of a share's document or folder: who may see, change and revoke it. */
const SHARE_OWNER: RawBuilder<unknown> = sql`coalesce(
  (select d.user_id from documents d where d.id = s.document_id),
  (select f.user_id from folders f where f.id = s.folder_id))`;

/** The target's owner, locked against deletion until commit; undefined when the target does not exist. */
export async function lockTargetOwner(
  em: EntityManager,
  target: ShareTarget,
): Promise<{ ownerId: string | null } | undefined> {
  const table = sql.table(target.kind === 'document' ? 'documents' : 'folders');
  const { rows } = await sql<{ ownerId: string | null }>`select t.user_id as "ownerId" from ${table} t
     where t.id = ${target.id}::uuid for key share`.execute(db(em));
  return rows[0];
}

const targetColumn = (target: ShareTarget) =>
  sql.ref(target.kind === 'document' ? 'document_id' : 'folder_id');
const granteeColumn = (grantee: Grantee) =>
  sql.ref(grantee.kind === 'user' ? 'grantee_user_id' : 'grantee_group_id');

/** The share of this target with this grantee, locked for the caller's transaction. */
export async function findShareOf(
  em: EntityManager,
  target: ShareTarget,
  grantee: Grantee,
): Promise<ShareRecord | undefined> {
  const { rows } = await sql<ShareRow>`select ${SHARE_COLUMNS} from shares s
     where ${targetColumn(target)} = ${target.id}::uuid and ${granteeColumn(grantee)} = ${grantee.id}::uuid
     for update`.execute(db(em));
  return rows[0] && toShareRecord(rows[0]);
}

export async function insertShare(
  em: EntityManager,
  target: ShareTarget,
  grantee: Grantee,
  permission: string,
  createdBy: string,
): Promise<ShareRecord> {
  const { rows } = await sql<ShareRow>`insert into shares as s
       (${targetColumn(target)}, ${granteeColumn(grantee)}, permission, created_by_id)
     values (${target.id}::uuid, ${grantee.id}::uuid, ${permission}, ${createdBy}::uuid)
     returning ${SHARE_COLUMNS}`.execute(db(em));
  const [row] = rows;
  if (!row) throw new Error('insert into shares returned no row');
  return toShareRecord(row);
}

/** A share whose object the viewer owns, locked; undefined for any other (or none). */
export async function lockOwnShare(
  em: EntityManager,
  owner: string,
  id: string,
): Promise<ShareRecord | undefined> {
  const { rows } = await sql<ShareRow>`select ${SHARE_COLUMNS} from shares s
     where s.id = ${id}::uuid and ${SHARE_OWNER} = ${owner}::uuid
     for update of s`.execute(db(em));
  return rows[0] && toShareRecord(rows[0]);
}

export async function setSharePermission(
  em: EntityManager,
  id: string,
  permission: string,
): Promise<ShareRecord> {
  const { rows } = await sql<ShareRow>`update shares s set permission = ${permission}
     where s.id = ${id}::uuid returning ${SHARE_COLUMNS}`.execute(db(em));
  const [row] = rows;
  if (!row) throw new Error(`share ${id} vanished under its lock`);
  return toShareRecord(row);
}

export async function deleteShareRow(em: EntityManager, id: string): Promise<void> {
  await sql`delete from shares where id = ${id}::uuid`.execute(db(em));
}

/**
 * The shares of many documents or folders whose owner is `owner` (a page asking for
 * `shares`); others' objects get none. Oldest first.
 */
export async function sharesOfTargets(
  em: EntityManager,
  owner: string,
  kind: ShareTarget['kind'],
  ids: readonly string[],
): Promise<Map<string, ShareRecord[]>> {
  const column = kind === 'document' ? 'document_id' : 'folder_id';
  const table = sql.table(kind === 'document' ? 'documents' : 'folders');
  const { rows } = await sql<ShareRow>`select ${SHARE_COLUMNS} from shares s
       join ${table} t on t.id = ${sql.ref(`s.${column}`)}
      where t.id = any(${uuidArray(ids)}) and t.user_id = ${owner}::uuid
      order by s.created_at, s.id`.execute(db(em));
  const byTarget = new Map<string, ShareRecord[]>();
  for (const row of rows) {
    const record = toShareRecord(row);
    const key = (kind === 'document' ? record.documentId : record.folderId) ?? '';
    byTarget.set(key, [...(byTarget.get(key) ?? []), record]);
  }
  return byTarget;
}
