import type { EntityManager } from '@mikro-orm/postgresql';
import { ownedBy, query, queryOne, sql } from '../documents/sql.ts';

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
  const inserted = await queryOne<{ id: string }>(
    em,
    sql`insert into documents (id, user_id, folder_id, title, original_filename, declared_mime_type,
                               mime_type, size_bytes, sha256, object_key, status)
        values (${row.id}::uuid, ${row.owner}::uuid, ${row.folderId}::uuid, ${row.title}, ${row.originalFilename},
                ${row.declaredMimeType}, ${row.mimeType}, ${row.sizeBytes}, ${row.sha256}, ${row.objectKey}, 'UPLOADED')
        on conflict (user_id, sha256) do nothing
        returning id`,
  );
  return inserted !== undefined;
}

/** The owner's document with these bytes, if any. */
export async function findIdBySha256(
  em: EntityManager,
  owner: string | null,
  sha256: string,
): Promise<string | undefined> {
  const row = await queryOne<{ id: string }>(
    em,
    sql`select d.id from documents d where ${ownedBy('d.user_id', owner)} and d.sha256 = ${sha256}`,
  );
  return row?.id;
}

/** Documents still UPLOADED (their job may never have reached Redis) since before `olderThanSeconds` ago. */
export async function findStaleUploads(
  em: EntityManager,
  olderThanSeconds: number,
  limit: number,
): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    sql`select d.id from documents d
        where d.status = 'UPLOADED' and d.updated_at < now() - make_interval(secs => ${olderThanSeconds})
        order by d.updated_at, d.id
        limit ${limit}`,
  );
  return rows.map((row) => row.id);
}
