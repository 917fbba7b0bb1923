import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import {
  DOCUMENT_COLUMNS,
  toDocumentRecord,
  type DocumentRecord,
  type DocumentRow,
} from './documents.repository.ts';
import { ownedBy, uuidArray } from '../data/query-helpers.ts';

// Writes to documents and their hand-set topics. The `lock…`/`…Exist` reads are meant to
// run inside the edit's transaction: they take the row locks that keep what they saw true
// until commit.

/** `for key share`: the folder cannot be deleted before the edit commits. */
export async function folderExists(em: EntityManager, owner: string | null, id: string): Promise<boolean> {
  const row = await db(em)
    .selectFrom('folders as f')
    .select('f.id')
    .where('f.id', '=', id)
    .where(ownedBy('f.user_id', owner))
    .forKeyShare()
    .executeTakeFirst();
  return row !== undefined;
}

/** The ids among `ids` that are topics of the vault, locked against deletion until commit. */
export async function existingTopicIds(
  em: EntityManager,
  owner: string | null,
  ids: readonly string[],
): Promise<Set<string>> {
  const rows = await db(em)
    .selectFrom('topics as t')
    .select('t.id')
    .where('t.id', '=', sql<string>`any(${uuidArray(ids)})`)
    .where(ownedBy('t.user_id', owner))
    .forKeyShare()
    .execute();
  return new Set(rows.map((row) => row.id));
}

/**
 * Makes `topicIds` the document's MANUAL topics. Manual rows for other topics go; rows the
 * classifier set (RULE/AUTO) for other topics stay; a classifier row for a chosen topic is
 * taken over (a person's choice outranks a guess, and the key is one row per topic).
 */
export async function replaceManualTopics(
  em: EntityManager,
  documentId: string,
  topicIds: readonly string[],
): Promise<void> {
  await sql`delete from document_topics
            where document_id = ${documentId}::uuid and source = 'MANUAL'
              and topic_id <> all(${uuidArray(topicIds)})`.execute(db(em));
  if (topicIds.length === 0) return;
  await sql`insert into document_topics (document_id, topic_id, confidence, source)
            select ${documentId}::uuid, topic_id, 1, 'MANUAL' from unnest(${uuidArray(topicIds)}) as topic_id
            on conflict (document_id, topic_id) do update
              set confidence = 1, source = 'MANUAL', created_at = now()
              where document_topics.source <> 'MANUAL'`.execute(db(em));
}

export interface DocumentChanges {
  title?: string;
  /** null takes the document out of its folder. */
  folderId?: string | null;
  topicIds?: string[];
}

/** Applies title/folder and always bumps updated_at (a topic change is a change too). */
export async function updateDocumentRow(
  em: EntityManager,
  owner: string | null,
  id: string,
  changes: DocumentChanges,
): Promise<DocumentRecord | undefined> {
  const assignments: RawBuilder<unknown>[] = [sql`updated_at = now()`];
  if (changes.title !== undefined) assignments.push(sql`title = ${changes.title}`);
  if (changes.folderId !== undefined) assignments.push(sql`folder_id = ${changes.folderId}::uuid`);
  const {
    rows: [row],
  } = await sql<DocumentRow>`update documents d set ${sql.join(assignments, sql`, `)}
        where d.id = ${id}::uuid and ${ownedBy('d.user_id', owner)}
        returning ${DOCUMENT_COLUMNS}`.execute(db(em));
  return row && toDocumentRecord(row);
}

export interface DeletedDocument {
  readonly objectKey: string;
  /** Its thumbnail's object, when one was made. */
  readonly thumbnailKey: string | null;
  /** What the document took of its owner's quota. */
  readonly sizeBytes: number;
}

/** Deletes the row (its topic links cascade) and says where its bytes (and thumbnail) were and how many. */
export async function deleteDocumentRow(
  em: EntityManager,
  owner: string | null,
  id: string,
): Promise<DeletedDocument | undefined> {
  return db(em)
    .deleteFrom('documents as d')
    .where('d.id', '=', id)
    .where(ownedBy('d.user_id', owner))
    .returning([
      'd.object_key as objectKey',
      'd.thumbnail_key as thumbnailKey',
      sql<number>`d.size_bytes::float8`.as('sizeBytes'),
    ])
    .executeTakeFirst();
}
