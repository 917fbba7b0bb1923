import { badInput } from '@docuvault/shared/errors/index';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface FailedJob {
  id: string;
  queue: string;
  documentId: string | null;
  attemptsMade: number;
  failedReason: string | null;
  failedAt: Date;
}

export interface FailedJobPage {
  edges: { cursor: string; node: FailedJob }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Keyset of the last job seen: when it failed (ms) and its id (the tie-break). */
interface FailedCursor {
  failedAt: number;
  id: string;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

export function parsePageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, { argument: 'first' });
  }
  return first;
}

// Opaque cursors (base64url of a small JSON array): clients must not build or read them.
const encodeCursor = (cursor: FailedCursor) =>
  Buffer.from(JSON.stringify(['f', cursor.failedAt, cursor.id]), 'utf8').toString('base64url');

export function decodeCursor(after: string | null | undefined): FailedCursor | undefined {
  if (after === null || after === undefined) return undefined;
  const invalid = () => badInput('after is not a valid cursor for failedJobs', { argument: 'after' });
  if (!/^[A-Za-z0-9_-]{1,800}$/.test(after)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    Array.isArray(value) &&
    value.length === 3 &&
    value[0] === 'f' &&
    Number.isSafeInteger(value[1]) &&
    value[1] >= 0 &&
    typeof value[2] === 'string' &&
    value[2] !== ''
  ) {
    return { failedAt: value[1] as number, id: value[2] };
  }
  throw invalid();
}

interface Entry {
  id: string;
  failedAt: number;
}

const pairs = (flat: string[]): Entry[] => {
  const entries: Entry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: flat[i]!, failedAt: Number(flat[i + 1]) });
  return entries;
};

/** Redis orders equal scores by the member's bytes; so must the tie-break here. */
const byIdDescending = (a: Entry, b: Entry) => Buffer.compare(Buffer.from(b.id), Buffer.from(a.id));

/**
 * A keyset page of the queue's failed set, newest failure first. BullMQ keeps failed jobs in
 * a sorted set scored by the time they failed; an offset into it would skip or repeat jobs
 * as others are retried or removed between pages, a keyset does not. The set is read with
 * the ioredis connection the queue is built on: BullMQ's client adapter has no score ranges.
 */
async function pageEntries(client: Redis, queue: Queue, limit: number, after: FailedCursor | undefined) {
  const key = queue.toKey('failed');
  const entries: Entry[] = [];
  if (after) {
    // Jobs that failed in the same millisecond as the cursor's, after it in id order.
    const ties = pairs(await client.zrangebyscore(key, after.failedAt, after.failedAt, 'WITHSCORES'));
    const cursorId = Buffer.from(after.id);
    entries.push(...ties.filter((e) => Buffer.compare(Buffer.from(e.id), cursorId) < 0).sort(byIdDescending));
  }
  if (entries.length < limit) {
    const max = after ? `(${after.failedAt}` : '+inf';
    const rest = await client.zrevrangebyscore(
      key,
      max,
      '-inf',
      'WITHSCORES',
      'LIMIT',
      0,
      limit - entries.length,
    );
    entries.push(...pairs(rest));
  }
  return { entries: entries.slice(0, limit), totalCount: await client.zcard(key) };
}

export async function failedJobs(
  redis: Redis,
  queue: Queue,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<FailedJobPage> {
  const size = parsePageSize(first);
  const { entries, totalCount } = await pageEntries(redis, queue, size + 1, decodeCursor(after));
  const page = entries.slice(0, size);
  const jobs = await Promise.all(page.map((entry) => queue.getJob(entry.id)));
  const edges = page.flatMap((entry, i) => {
    const job = jobs[i];
    // Removed (by age) between the two reads: it is no longer a failed job to show.
    return job ? [{ cursor: encodeCursor(entry), node: toFailedJob(queue.name, job, entry) }] : [];
  });
  const last = page.at(-1);
  return {
    edges,
    pageInfo: { hasNextPage: entries.length > size, endCursor: last ? encodeCursor(last) : null },
    totalCount,
  };
}

function toFailedJob(queueName: string, job: Job, entry: Entry): FailedJob {
  const data: unknown = job.data;
  const documentId =
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { documentId?: unknown }).documentId === 'string'
      ? (data as { documentId: string }).documentId
      : null;
  return {
    id: entry.id,
    queue: queueName,
    documentId,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason || null,
    failedAt: new Date(entry.failedAt),
  };
}
