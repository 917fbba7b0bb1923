import { sql } from 'kysely';

/**
 * The condition of a DocumentFilter that narrows nothing. One instance, so that a query can
 * tell it apart by identity and skip what only a filter needs (e.g. reading the documents
 * to count the ones shared with the viewer).
 */
export const NO_FILTER = sql<boolean>`true`;
