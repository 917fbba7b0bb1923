import { badInput } from '@docuvault/shared/errors/index';
import { isUuid } from './input.ts';

// Opaque cursors: base64url of a small JSON array. Clients must not build or read them,
// so the format may change; what they hold is the keyset of the last row seen.
//  - listing (newest first): the row's created_at at full microsecond precision, as
//    PostgreSQL printed it (a JS Date keeps milliseconds only: rows within one millisecond
//    would be skipped or repeated), and the id as the tie-break;
//  - search (best first): the rank (a float4, exact through its shortest decimal form)
//    and the id.

export interface ListCursor {
  readonly createdAt: string;
  readonly id: string;
}

export interface SearchCursor {
  readonly rank: number;
  readonly id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Exactly a real instant: Date.parse alone accepts 2026-02-30, which PostgreSQL would refuse. */
const isTimestamp = (value: string): boolean => {
  if (!TIMESTAMP.test(value)) return false;
  const parsed = Date.parse(value);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 19) === value.slice(0, 19);
};

/**
 * A rank PostgreSQL can read back as real: in range, and not so small it underflows to 0.
 * Keys below the head of a search lie in [-1, 0) (search.repository.ts).
 */
const isFloat4 = (value: number): boolean =>
  value >= -1 && Number.isFinite(Math.fround(value)) && (value === 0 || Math.fround(value) !== 0);

const encode = (value: unknown[]): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode(cursor: string): unknown {
  const invalid = () => badInput('after is not a valid cursor', { argument: 'after' });
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw invalid();
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
}

export const encodeListCursor = (cursor: ListCursor): string => encode(['c', cursor.createdAt, cursor.id]);

export const encodeSearchCursor = (cursor: SearchCursor): string => encode(['s', cursor.rank, cursor.id]);

/** `after` of `documents`; null or absent means the first page. */
export function decodeListCursor(after: string | null | undefined): ListCursor | undefined {
  if (after === null || after === undefined) return undefined;
  const value = decode(after);
  if (
    Array.isArray(value) &&
    value.length === 3 &&
    value[0] === 'c' &&
    typeof value[1] === 'string' &&
    isTimestamp(value[1]) &&
    typeof value[2] === 'string' &&
    isUuid(value[2])
  ) {
    return { createdAt: value[1], id: value[2] };
  }
  throw badInput('after is not a valid cursor for documents', { argument: 'after' });
}

/** `after` of `search`; null or absent means the first page. */
export function decodeSearchCursor(after: string | null | undefined): SearchCursor | undefined {
  if (after === null || after === undefined) return undefined;
  const value = decode(after);
  if (
    Array.isArray(value) &&
    value.length === 3 &&
    value[0] === 's' &&
    typeof value[1] === 'number' &&
    isFloat4(value[1]) &&
    typeof value[2] === 'string' &&
    isUuid(value[2])
  ) {
    return { rank: value[1], id: value[2] };
  }
  throw badInput('after is not a valid cursor for search', { argument: 'after' });
}
