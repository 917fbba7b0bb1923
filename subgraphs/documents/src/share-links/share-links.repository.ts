import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { uuidArray } from '../data/query-helpers.ts';

// Public share links in PostgreSQL. Every query for the owner's side is scoped by the
// document's owner (a link of someone else's document is simply not found); the public
// side finds a link by the SHA-256 of its token (unique index) and counts a download with
// one conditional UPDATE, so concurrent requests cannot pass maxDownloads.

export interface ShareLinkRecord {
  id: string;
  documentId: string;
  createdAt: Date;
  expiresAt: Date;
  maxDownloads: number | null;
  downloadCount: number;
  hasPassword: boolean;
  revokedAt: Date | null;
}

/** What a usable link opens: the link's facts and its document's. */
export interface OpenedLink {
  id: string;
  documentId: string;
  passwordHash: string | null;
  expiresAt: Date;
  title: string;
  mimeType: string;
  sizeBytes: number;
  objectKey: string;
  originalFilename: string;
}

const LINK_COLUMNS = [
  'l.id',
  'l.document_id as documentId',
  'l.created_at as createdAt',
  'l.expires_at as expiresAt',
  'l.max_downloads as maxDownloads',
  'l.download_count as downloadCount',
  sql<boolean>`l.password_hash is not null`.as('hasPassword'),
  'l.revoked_at as revokedAt',
] as const;

type LinkRow = Omit<ShareLinkRecord, 'createdAt' | 'expiresAt' | 'revokedAt'> & {
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
};

const toRecord = (row: LinkRow): ShareLinkRecord => ({
  ...row,
  createdAt: new Date(row.createdAt),
  expiresAt: new Date(row.expiresAt),
  revokedAt: row.revokedAt === null ? null : new Date(row.revokedAt),
});

/** Usable now: not revoked, not expired, downloads left. */
const usable = sql<boolean>`l.revoked_at is null and l.expires_at > now()
  and (l.max_downloads is null or l.download_count < l.max_downloads)`;

export interface NewShareLink {
  owner: string;
  documentId: string;
  tokenHash: string;
  passwordHash: string | null;
  expiresAt: Date;
  maxDownloads: number | null;
}

/**
 * Inserts the link only if `owner` owns the document, in one statement (a document
 * deleted meanwhile fails its foreign key: the caller answers that as not found too).
 */
export async function insertShareLink(
  em: EntityManager,
  link: NewShareLink,
): Promise<ShareLinkRecord | null> {
  const inserted = await db(em)
    .insertInto('share_links')
    .columns(['document_id', 'token_hash', 'password_hash', 'expires_at', 'max_downloads'])
    .expression((eb) =>
      eb
        .selectFrom('documents as d')
        .select([
          'd.id',
          sql<string>`${link.tokenHash}::text`.as('token_hash'),
          sql<string | null>`${link.passwordHash}::text`.as('password_hash'),
          sql<string>`${link.expiresAt.toISOString()}::timestamptz`.as('expires_at'),
          sql<number | null>`${link.maxDownloads}::int`.as('max_downloads'),
        ])
        .where('d.id', '=', link.documentId)
        .where('d.user_id', '=', link.owner),
    )
    .returning('id')
    .executeTakeFirst();
  return inserted ? findOwnedLink(em, link.owner, inserted.id) : null;
}

/** The link if `owner` owns its document; `lock` holds it (FOR UPDATE) until the transaction ends. */
export async function findOwnedLink(
  em: EntityManager,
  owner: string,
  id: string,
  lock = false,
): Promise<ShareLinkRecord | null> {
  const row = await db(em)
    .selectFrom('share_links as l')
    .innerJoin('documents as d', 'd.id', 'l.document_id')
    .select(LINK_COLUMNS)
    .where('l.id', '=', id)
    .where('d.user_id', '=', owner)
    .$if(lock, (query) => query.forUpdate('l'))
    .executeTakeFirst();
  return row ? toRecord(row as LinkRow) : null;
}

/** The links of each of the documents that `owner` owns, newest first; others' documents get none. */
export async function findLinksOfDocuments(
  em: EntityManager,
  owner: string,
  documentIds: readonly string[],
): Promise<Map<string, ShareLinkRecord[]>> {
  const rows = await db(em)
    .selectFrom('share_links as l')
    .innerJoin('documents as d', 'd.id', 'l.document_id')
    .select(LINK_COLUMNS)
    .where(sql<boolean>`l.document_id = any(${uuidArray(documentIds)})`)
    .where('d.user_id', '=', owner)
    .orderBy('l.created_at', 'desc')
    .orderBy('l.id', 'desc')
    .execute();
  const byDocument = new Map<string, ShareLinkRecord[]>();
  for (const row of rows) {
    const record = toRecord(row as LinkRow);
    byDocument.set(record.documentId, [...(byDocument.get(record.documentId) ?? []), record]);
  }
  return byDocument;
}

export async function updateShareLinkRow(
  em: EntityManager,
  id: string,
  changes: { expiresAt?: Date; maxDownloads?: number | null },
): Promise<void> {
  await db(em)
    .updateTable('share_links')
    .set({
      ...(changes.expiresAt === undefined ? {} : { expires_at: changes.expiresAt }),
      ...(changes.maxDownloads === undefined ? {} : { max_downloads: changes.maxDownloads }),
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

/** Revokes the link of `owner`'s document if it is not revoked yet; its document's id, else null. */
export async function revokeOwnedLink(em: EntityManager, owner: string, id: string): Promise<string | null> {
  const row = await db(em)
    .updateTable('share_links as l')
    .set({ revoked_at: sql`now()`, updated_at: sql`now()` })
    .from('documents as d')
    .whereRef('d.id', '=', 'l.document_id')
    .where('l.id', '=', id)
    .where('d.user_id', '=', owner)
    .where('l.revoked_at', 'is', null)
    .returning('l.document_id as documentId')
    .executeTakeFirst();
  return row?.documentId ?? null;
}

/** The usable link with this token hash and its document; null for anything else. */
export async function findUsableLink(em: EntityManager, tokenHash: string): Promise<OpenedLink | null> {
  const row = await db(em)
    .selectFrom('share_links as l')
    .innerJoin('documents as d', 'd.id', 'l.document_id')
    .select([
      'l.id',
      'l.document_id as documentId',
      'l.password_hash as passwordHash',
      'l.expires_at as expiresAt',
      'd.title',
      'd.mime_type as mimeType',
      sql<number>`d.size_bytes::float8`.as('sizeBytes'),
      'd.object_key as objectKey',
      'd.original_filename as originalFilename',
    ])
    .where('l.token_hash', '=', tokenHash)
    .where(usable)
    .executeTakeFirst();
  return row ? { ...row, expiresAt: new Date(row.expiresAt) } : null;
}

/**
 * Counts one download if the link is still usable, atomically: of N concurrent requests for
 * a link with k downloads left, exactly k succeed (each UPDATE re-checks the row it waited for).
 */
export async function countDownload(em: EntityManager, id: string): Promise<boolean> {
  const row = await db(em)
    .updateTable('share_links as l')
    .set({ download_count: sql`l.download_count + 1` })
    .where('l.id', '=', id)
    .where(usable)
    .returning('l.id')
    .executeTakeFirst();
  return row !== undefined;
}
