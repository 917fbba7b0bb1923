import type { EntityManager } from '@mikro-orm/postgresql';
import { noQuota, quotaExceeded, remainingBytes } from './quotas.errors.ts';
import { addUsedBytes, findQuota, subtractUsedBytes, type QuotaRecord } from './quotas.repository.ts';

// Per-user storage quotas. Uploads check the quota twice: before any byte is read
// (`requireRoom`, which also gives the cap for the stream), and for real when the
// document row is written (`chargeQuota`, in that row's transaction): the first refuses
// early what cannot fit, the second is the one that holds under concurrency. Deleting a
// document gives its bytes back in the delete's transaction (`releaseQuota`).
// The vault of `owner` null (anonymous) has no quota and is never limited.

export type { QuotaRecord } from './quotas.repository.ts';
export { remainingBytes } from './quotas.errors.ts';

/** The owner's quota; null for the anonymous vault; FORBIDDEN for a user without one. */
export async function quotaOf(em: EntityManager, owner: string | null): Promise<QuotaRecord | null> {
  if (owner === null) return null;
  const quota = await findQuota(em, owner);
  if (!quota) throw noQuota();
  return quota;
}

/**
 * Refuses at once (QUOTA_EXCEEDED) an upload that cannot fit: nothing left, or less than
 * the `bytes` the client declared. Answers the quota as it stands, to cap the stream at
 * what is left (null: not limited). Advisory only: chargeQuota decides.
 */
export async function requireRoom(
  em: EntityManager,
  owner: string | null,
  bytes = 1,
): Promise<QuotaRecord | null> {
  const quota = await quotaOf(em, owner);
  if (quota && remainingBytes(quota) < bytes) throw quotaExceeded(quota);
  return quota;
}

/**
 * Charges `bytes` to the owner, atomically, or throws QUOTA_EXCEEDED (FORBIDDEN without
 * a quota row). Meant for the transaction that records what the bytes are: a refusal
 * then rolls that back too, and a rollback later gives the bytes back.
 */
export async function chargeQuota(em: EntityManager, owner: string | null, bytes: number): Promise<void> {
  if (owner === null) return;
  if (await addUsedBytes(em, owner, bytes)) return;
  const quota = await findQuota(em, owner);
  if (!quota) throw noQuota();
  throw quotaExceeded(quota);
}

/** Gives `bytes` back to the owner; in the transaction that deletes what they were. */
export async function releaseQuota(em: EntityManager, owner: string | null, bytes: number): Promise<void> {
  if (owner === null || bytes <= 0) return;
  await subtractUsedBytes(em, owner, bytes);
}
