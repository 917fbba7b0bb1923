import type pg from 'pg';

// Looking behind the API at what quotas and the audit trail hold, for the quota suites.

export const KiB = 1024;
export const MiB = 1024 * KiB;

export interface QuotaRow {
  usedBytes: number;
  limitBytes: number;
}

export async function quotaRow(admin: Pick<pg.Pool, 'query'>, userId: string): Promise<QuotaRow> {
  const { rows } = await admin.query<QuotaRow>(
    `select used_bytes::float8 as "usedBytes", limit_bytes::float8 as "limitBytes" from quotas where user_id = $1`,
    [userId],
  );
  if (!rows[0]) throw new Error(`no quota row for ${userId}`);
  return rows[0];
}

export interface DocumentRow {
  id: string;
  sizeBytes: number;
  objectKey: string;
}

export async function documentsOf(admin: Pick<pg.Pool, 'query'>, userId: string): Promise<DocumentRow[]> {
  const { rows } = await admin.query<DocumentRow>(
    `select id, size_bytes::float8 as "sizeBytes", object_key as "objectKey"
     from documents where user_id = $1 order by id`,
    [userId],
  );
  return rows;
}

export interface AuditRow {
  actorId: string | null;
  action: string;
  target: string | null;
  requestId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export async function auditRows(
  admin: Pick<pg.Pool, 'query'>,
  where: { action: string; target?: string; actorId?: string },
): Promise<AuditRow[]> {
  const { rows } = await admin.query<AuditRow>(
    `select actor_id as "actorId", action, target, request_id as "requestId", host(ip) as ip, details
     from audit_log
     where action = $1 and ($2::text is null or target = $2) and ($3::uuid is null or actor_id = $3)
     order by at, id`,
    [where.action, where.target ?? null, where.actorId ?? null],
  );
  return rows;
}

/** `size` bytes of text that differ for every `label` (so every file has its own sha256). */
export function distinctText(label: string, size: number): Buffer {
  const head = `${label}\n`;
  return Buffer.from(head + 'x'.repeat(size - head.length - 1) + '\n');
}
