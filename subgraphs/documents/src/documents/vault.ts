import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentsContext } from '../context.ts';

/**
 * Whose rows a request sees, and through which entity manager. Every query of the
 * documents, topics and folders features is scoped by `owner` (see `ownedBy` in sql.ts).
 */
export interface Vault {
  readonly em: EntityManager;
  /** The user's id; null is the anonymous vault. */
  readonly owner: string | null;
}

/** Until authentication lands every request works in the anonymous vault; then the
 * authenticated user's id goes here, and nowhere else needs to change. */
export function vaultOf(context: DocumentsContext): Vault {
  return { em: context.em, owner: null };
}
