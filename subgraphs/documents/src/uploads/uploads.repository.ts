import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { ownedBy } from '../data/query-helpers.ts';

export interface NewDocumentRow {
  id: string;
  owner: string | null;
  folderId: string | null;
  title: string;
  originalFilename: string;
  declaredMimeType: string | null;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  objectKey: string;
}

/**
 * Inserts the row as UPLOADED, or nothing when the owner already has these bytes: the
 * unique index documents_user_id_sha256_unique (nulls not distinct, so the anonymous
 * vault too) decides, which stays right when two identical uploads race.
 * Answers whether the row was inserted.
 */
export async function insertUploadedDocument(em: EntityManager, row: NewDocumentRow): Promise<boolean> {
  const inserted = await db(em)
    .insertInto('documents')
    .values({
      id: row.id,
      user_id: row.owner,
      folder_id: row.folderId,
      title: row.title,
      original_filename: row.originalFilename,
      declared_mime_type: row.declaredMimeType,
      mime_type: row.mimeType,
      size_bytes: row.sizeBytes,
      sha256: row.sha256,
      object_key: row.objectKey,
      status: 'UPLOADED',
    })
    .onConflict((conflict) => conflict.columns(['user_id', 'sha256']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The owner's document with these bytes, if any. */
export async function findIdBySha256(
  em: EntityManager,
  owner: string | null,
  sha256: string,
): Promise<string | undefined> {
  const row = await db(em)
    .selectFrom('documents')
    .select('id')
    .where(ownedBy('user_id', owner))
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return row?.id;
}

/** Documents still UPLOADED (their job may never have reached Redis) since before `olderThanSeconds` ago. */
export async function findStaleUploads(
  em: EntityManager,
  olderThanSeconds: number,
  limit: number,
): Promise<string[]> {
  const rows = await db(em)
    .selectFrom('documents')
    .select('id')
    .where('status', '=', 'UPLOADED')
    .where('updated_at', '<', sql<string>`now() - make_interval(secs => ${olderThanSeconds})`)
    .orderBy('updated_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}
