import type { EntityManager } from '@mikro-orm/postgresql';
import { vaultOwner } from '@docuvault/shared/auth/principal';
import type { DocumentsContext } from '../context.ts';

/**
 * Whose rows a request sees, and through which entity manager. Every query of the
 * documents, topics and folders features is scoped by `owner` (see `ownedBy` in query-helpers.ts),
 * so another user's id is simply not found.
 */
export interface Vault {
  readonly em: EntityManager;
  /** The user's id; null is the anonymous vault (only when the gateway allows anonymous use). */
  readonly owner: string | null;
}

/** The signed-in user's vault, or the anonymous one; a guest gets UNAUTHENTICATED. */
export function vaultOf(context: Pick<DocumentsContext, 'em' | 'principal'>): Vault {
  return { em: context.em, owner: vaultOwner(context.principal) };
}
