import type { DocumentsConfig } from '@docuvault/shared/config/index';
import { runPeriodically, type PeriodicTask } from '@docuvault/shared/jobs/periodic';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { deleteTicket, findExpiredTickets } from './tickets.repository.ts';

export interface TicketSweeperDeps {
  /** The root entity manager; each sweep works on a fork. */
  readonly em: EntityManager;
  readonly store: ObjectStore;
  readonly logger: Logger;
  readonly config: Pick<DocumentsConfig, 'UPLOAD_TICKET_GRACE_SECONDS' | 'UPLOAD_SWEEP_INTERVAL_SECONDS'>;
}

export interface TicketSweepResult {
  /** Tickets removed, each with whatever was uploaded at its key. */
  readonly swept: string[];
  /** Tickets whose object could not be removed (the store is away): tried again next sweep. */
  readonly failed: string[];
}

const BATCH = 500;

/**
 * Removes tickets whose policy expired more than the grace period ago, and first the
 * object at each one's key: an upload never completed, or one POSTed again after its
 * ticket was completed (the document has its own copy, so nothing of it is lost). The
 * row goes only once its object is gone, so a failure is retried, and the policy has
 * expired, so nothing can appear at the key afterwards. Several replicas may sweep at
 * once: removing an object or a row twice is harmless.
 */
export async function sweepOnce(
  deps: Pick<TicketSweeperDeps, 'em' | 'store' | 'logger'> & {
    config: Pick<DocumentsConfig, 'UPLOAD_TICKET_GRACE_SECONDS'>;
  },
  now = new Date(),
): Promise<TicketSweepResult> {
  const em = deps.em.fork();
  const cutoff = new Date(now.getTime() - deps.config.UPLOAD_TICKET_GRACE_SECONDS * 1000);
  const tickets = await findExpiredTickets(em, cutoff, BATCH);
  const swept: string[] = [];
  const failed: string[] = [];
  for (const ticket of tickets) {
    try {
      // S3 answers a delete of a missing key with success.
      await deps.store.client.removeObject(deps.store.bucket, ticket.objectKey);
    } catch (error) {
      failed.push(ticket.id);
      deps.logger.warn({ err: error, ticketId: ticket.id }, 'ticket sweeper could not remove an upload');
      break;
    }
    await deleteTicket(em, ticket.id);
    swept.push(ticket.id);
  }
  if (swept.length > 0) deps.logger.info({ count: swept.length }, 'ticket sweeper removed expired tickets');
  return { swept, failed };
}

export type RunningTicketSweeper = PeriodicTask;

/** Sweeps every UPLOAD_SWEEP_INTERVAL_SECONDS (see runPeriodically for overlap and failures). */
export function startTicketSweeper(deps: TicketSweeperDeps): RunningTicketSweeper {
  return runPeriodically(
    'ticket sweep',
    deps.config.UPLOAD_SWEEP_INTERVAL_SECONDS * 1000,
    () => sweepOnce(deps),
    deps.logger,
  );
}
