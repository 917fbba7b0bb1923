import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';

// The quotas table: one row per user (the anonymous vault has none and is not limited).
// A CHECK keeps used_bytes within 0..limit_bytes, so no statement here can overdraw it.

export interface QuotaRecord {
  readonly usedBytes: number;
  readonly limitBytes: number;
}

// bigint columns come back from the driver as text: read as float8 (exact below 2^53 bytes).
const COLUMNS = sql`q.used_bytes::float8 as "usedBytes", q.limit_bytes::float8 as "limitBytes"`;

export async function findQuota(em: EntityManager, userId: string): Promise<QuotaRecord | undefined> {
  const { rows } =
    await sql<QuotaRecord>`select ${COLUMNS} from quotas q where q.user_id = ${userId}::uuid`.execute(db(em));
  return rows[0];
}

/**
 * Adds `bytes` to what the user uses if, and only if, it still fits: one conditional
 * UPDATE, so concurrent charges queue on the row lock and each sees the others' sums
 * (PostgreSQL re-checks the WHERE on the row a committed charge left). Answers the new
 * state, or undefined when it did not fit or the user has no quota row.
 */
export async function addUsedBytes(
  em: EntityManager,
  userId: string,
  bytes: number,
): Promise<QuotaRecord | undefined> {
  const { rows } = await sql<QuotaRecord>`
    update quotas as q set used_bytes = q.used_bytes + ${bytes}::bigint, updated_at = now()
    where q.user_id = ${userId}::uuid and q.used_bytes + ${bytes}::bigint <= q.limit_bytes
    returning ${COLUMNS}`.execute(db(em));
  return rows[0];
}

/**
 * Gives `bytes` back. Never below zero: documents stored before the quota was tracked
 * (or rows edited by hand) must not make their deletion fail on the CHECK.
 */
export async function subtractUsedBytes(em: EntityManager, userId: string, bytes: number): Promise<void> {
  await sql`update quotas as q set used_bytes = greatest(q.used_bytes - ${bytes}::bigint, 0), updated_at = now()
            where q.user_id = ${userId}::uuid`.execute(db(em));
}
