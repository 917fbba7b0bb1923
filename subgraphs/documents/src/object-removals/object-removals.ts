import { runPeriodically, type PeriodicTask } from '@docuvault/shared/jobs/periodic';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { removeObject, removePrefix } from '@docuvault/shared/object-store/removal';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  deleteRemoval,
  findRemovals,
  recordFailedAttempt,
  type QueuedRemoval,
} from './object-removals.repository.ts';

// object_removals: objects whose rows are deleted and committed, waiting for the store.
// The row goes only once the store confirms, so nothing is forgotten: a removal the store
// refused stays queued, and the sweeper below tries it again every interval.

export interface ObjectRemovalDeps {
  /** Each call works on a fork. */
  readonly em: EntityManager;
  readonly store: ObjectStore;
  readonly logger: Logger;
}

export interface RemovalResult {
  readonly removed: string[];
  readonly failed: string[];
}

const BATCH = 100;

async function removeOne(
  deps: ObjectRemovalDeps,
  em: EntityManager,
  removal: QueuedRemoval,
): Promise<boolean> {
  try {
    if (removal.prefix) await removePrefix(deps.store, removal.key);
    else await removeObject(deps.store, removal.key);
  } catch (error) {
    deps.logger.warn(
      { err: error, key: removal.key, prefix: removal.prefix, attempts: removal.attempts + 1 },
      'could not remove objects of deleted rows; the object-removal sweeper retries',
    );
    await recordFailedAttempt(em, removal.id, error instanceof Error ? error.message : String(error));
    return false;
  }
  await deleteRemoval(em, removal.id);
  return true;
}

/**
 * Carries out queued removals: those with `ids`, or the oldest ones. Each is tried (one
 * failing, e.g. a listing, says little about another, e.g. a single key). Never throws for
 * the store's sake: what failed stays queued.
 */
export async function runObjectRemovals(
  deps: ObjectRemovalDeps,
  ids?: readonly string[],
): Promise<RemovalResult> {
  const em = deps.em.fork();
  const queued = await findRemovals(em, ids, BATCH);
  const removed: string[] = [];
  const failed: string[] = [];
  for (const removal of queued) {
    if (await removeOne(deps, em, removal)) removed.push(removal.id);
    else failed.push(removal.id);
  }
  if (removed.length > 0) deps.logger.info({ count: removed.length }, 'removed objects of deleted rows');
  return { removed, failed };
}

/** Retries queued removals every `intervalSeconds` (see runPeriodically for overlap and failures). */
export function startObjectRemovalSweeper(
  deps: ObjectRemovalDeps & { intervalSeconds: number },
): PeriodicTask {
  return runPeriodically(
    'object-removal sweep',
    deps.intervalSeconds * 1000,
    () => runObjectRemovals(deps),
    deps.logger,
  );
}
