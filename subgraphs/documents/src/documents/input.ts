import { badInput } from '@docuvault/shared/errors/index';

// Input checks shared by the documents, topics and folders features. Every failure is
// BAD_USER_INPUT naming the argument (`details.argument`), so a client can point at the
// field; nothing malformed reaches the database, where it would surface as a 500.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

/** An id argument: must be a UUID; returned lower-cased (the database's text form). */
export function parseId(value: string, argument: string): string {
  if (!isUuid(value)) throw badInput(`${argument} must be a UUID`, { argument });
  return value.toLowerCase();
}

/** A list of ids: each a UUID, duplicates dropped, order kept. */
export function parseIds(values: readonly string[], argument: string): string[] {
  const invalid = values.filter((value) => !isUuid(value));
  if (invalid.length > 0) {
    throw badInput(`${argument} must hold UUIDs; not: ${invalid.join(', ')}`, { argument, invalid });
  }
  return [...new Set(values.map((value) => value.toLowerCase()))];
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Relay `first`: defaults to 20, must be 1..100. */
export function parsePageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, { argument: 'first' });
  }
  return first;
}

/** Length in characters as people count them (code points), not UTF-16 units. */
export const characterCount = (value: string): number => [...value].length;

/** A required name or title: trimmed, non-empty, at most `max` characters. */
export function parseName(value: string, argument: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badInput(`${argument} must not be blank`, { argument });
  if (characterCount(trimmed) > max) {
    throw badInput(`${argument} must be at most ${max} characters`, { argument });
  }
  return trimmed;
}

/** Free text for full-text search: trimmed; too long a query is refused rather than parsed. */
export const MAX_SEARCH_LENGTH = 1_000;

export function parseSearchText(value: string, argument: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0) return undefined;
  if (characterCount(trimmed) > MAX_SEARCH_LENGTH) {
    throw badInput(`${argument} must be at most ${MAX_SEARCH_LENGTH} characters`, { argument });
  }
  return trimmed;
}
