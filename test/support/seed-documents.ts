import { randomBytes } from 'node:crypto';
import type { DocumentStatus, TextSourceKind } from '@docuvault/shared/db/entities/documents';
import type pg from 'pg';

// Document rows inserted straight into the database, for tests of everything that reads
// them; the upload path is tested on its own. Every row gets a unique sha256 and object
// key (a random run token), so seeds never collide with each other.

export interface SeedOptions {
  /** How many rows; all share the fields below. */
  count: number;
  /** created_at of row 1; later rows are older. Default: now. */
  newest?: Date;
  /** Rows per created_at value: runs of this many rows share one timestamp (default 1). */
  rowsPerTimestamp?: number;
  /** Step between consecutive timestamps, in milliseconds (default 1000). */
  stepMs?: number;
  titlePrefix?: string;
  extractedText?: string | null;
  status?: DocumentStatus;
  mimeType?: string;
  folderId?: string | null;
  userId?: string | null;
}

export interface SeededDocument {
  id: string;
  objectKey: string;
}

/** Inserts `count` rows with one statement (generate_series): 10,000 rows take well under a second. */
export async function seedDocuments(
  db: pg.Pool | pg.Client,
  options: SeedOptions,
): Promise<SeededDocument[]> {
  const run = randomBytes(6).toString('hex');
  const { rows } = await db.query<SeededDocument>(
    `insert into documents (user_id, folder_id, title, original_filename, mime_type, size_bytes, sha256,
                            object_key, status, extracted_text, created_at, updated_at)
     select $1::uuid, $2::uuid, $3 || ' ' || i, 'file-' || i || '.bin', $4, i * 100,
            encode(sha256(convert_to($5 || ':' || i, 'UTF8')), 'hex'),
            '_anonymous/seed-' || $5 || '/' || i, $6, $7,
            $8::timestamptz - make_interval(secs => ((i - 1) / $9) * $10 / 1000.0),
            $8::timestamptz
     from generate_series(1, $11::int) as i
     order by i
     returning id, object_key as "objectKey"`,
    [
      options.userId ?? null,
      options.folderId ?? null,
      options.titlePrefix ?? 'Seeded document',
      options.mimeType ?? 'application/pdf',
      run,
      options.status ?? 'CLASSIFIED',
      options.extractedText ?? null,
      (options.newest ?? new Date()).toISOString(),
      options.rowsPerTimestamp ?? 1,
      options.stepMs ?? 1_000,
      options.count,
    ],
  );
  return rows;
}

export interface OneDocument {
  title: string;
  extractedText?: string | null;
  status?: DocumentStatus;
  mimeType?: string;
  folderId?: string | null;
  createdAt?: Date;
  objectKey?: string;
  /** How the worker obtained the text (null: not read yet). */
  textSource?: TextSourceKind | null;
  /** The owner; null (the default) is the anonymous vault. */
  userId?: string | null;
}

/** One row with chosen fields; answers its id and object key. */
export async function seedDocument(db: pg.Pool | pg.Client, document: OneDocument): Promise<SeededDocument> {
  const token = randomBytes(8).toString('hex');
  const { rows } = await db.query<SeededDocument>(
    `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, status,
                            extracted_text, folder_id, created_at, text_source, user_id)
     values ($1, $2, $3, 1234, encode(sha256(convert_to($4, 'UTF8')), 'hex'), $5, $6, $7, $8::uuid,
             coalesce($9::timestamptz, now()), $10, $11::uuid)
     returning id, object_key as "objectKey"`,
    [
      document.title,
      `${token}.pdf`,
      document.mimeType ?? 'application/pdf',
      token,
      document.objectKey ?? `_anonymous/${token}/${token}.pdf`,
      document.status ?? 'CLASSIFIED',
      document.extractedText ?? null,
      document.folderId ?? null,
      document.createdAt?.toISOString() ?? null,
      document.textSource ?? null,
      document.userId ?? null,
    ],
  );
  const [row] = rows;
  if (!row) throw new Error('insert returned no row');
  return row;
}
