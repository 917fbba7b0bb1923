import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import { tsQuery } from './documents.repository.ts';
import { NO_FILTER } from './no-filter.ts';
import type { DocumentFilterValues } from './search-filters.ts';
import { ownedBy, textArray, uuidArray } from '../data/query-helpers.ts';
import { sharedWith } from '../sharing/visibility.ts';

/**
 * The filter as one condition on `documents d`, for any query's WHERE list (the listing,
 * the search and their counts); `true` when nothing narrows. The owner condition is not
 * part of it: each query keeps its own. Each term has an index that a bitmap AND can
 * combine with the search vector's GIN index (migrations/…-add-documents-filter-indexes.sql):
 * (user_id, mime_type), (user_id, text_source), (user_id, created_at, id), (folder_id),
 * and document_topics (topic_id, document_id) for the topic.
 */
export function documentFilterCondition(filter: DocumentFilterValues): RawBuilder<boolean> {
  const terms: RawBuilder<boolean>[] = [];
  if (filter.status) terms.push(sql`d.status = any(${textArray(filter.status)})`);
  if (filter.folderIds) terms.push(sql`d.folder_id = any(${uuidArray(filter.folderIds)})`);
  if (filter.topicId) {
    terms.push(
      sql`exists (select 1 from document_topics dt
                  where dt.document_id = d.id and dt.topic_id = ${filter.topicId}::uuid)`,
    );
  }
  if (filter.mimeTypes) terms.push(sql`d.mime_type = any(${textArray(filter.mimeTypes)})`);
  if (filter.textSources) terms.push(sql`d.text_source = any(${textArray(filter.textSources)})`);
  if (filter.createdAfter) terms.push(sql`d.created_at > ${filter.createdAfter.toISOString()}::timestamptz`);
  if (filter.createdBefore)
    terms.push(sql`d.created_at < ${filter.createdBefore.toISOString()}::timestamptz`);
  if (filter.text) terms.push(sql`d.search_vector @@ ${tsQuery(filter.text)}`);
  return terms.length === 0 ? NO_FILTER : sql<boolean>`(${sql.join(terms, sql` and `)})`;
}

/**
 * The filter for a search, which already reads everything the viewer may see (visibleTo):
 * with sharedWithMe, only what others share with them.
 */
export function searchFilterCondition(
  filter: DocumentFilterValues,
  viewer: string | null,
): RawBuilder<boolean> {
  const condition = documentFilterCondition(filter);
  return filter.sharedWithMe ? sql<boolean>`(${condition} and ${sharedWith('d', viewer)})` : condition;
}

export interface FilterReferences {
  /** The folder and (when asked) every folder below it; empty when the folder is not in the vault. */
  folderIds: string[];
  topicFound: boolean;
}

/** The filter's folder (with its sub-folders) and topic, looked up in the vault in one round trip. */
export async function findFilterReferences(
  em: EntityManager,
  owner: string | null,
  wanted: { folderId: string | undefined; includeSubfolders: boolean; topicId: string | undefined },
): Promise<FilterReferences> {
  const { rows } = await sql<FilterReferences>`
    with recursive tree(id) as (
      select f.id from folders f where f.id = ${wanted.folderId ?? null}::uuid and ${ownedBy('f.user_id', owner)}
      union
      select child.id from folders child join tree on child.parent_id = tree.id
      where ${wanted.includeSubfolders}::boolean
    )
    select array(select id from tree order by id)::text[] as "folderIds",
           exists (select 1 from topics t
                   where t.id = ${wanted.topicId ?? null}::uuid and ${ownedBy('t.user_id', owner)}) as "topicFound"`.execute(
    db(em),
  );
  const [row] = rows;
  return row ?? { folderIds: [], topicFound: false };
}
