import { randomBytes } from 'node:crypto';

/** The harness's Redis (TEST_REDIS_URL, set by the jest globalSetup or by you). */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set (the jest globalSetup provides it)');
  return url;
}

/**
 * A key prefix of its own for one test file: test files run in parallel
 * against one Redis, so everything a file writes (BullMQ queues included,
 * via REDIS_PREFIX) goes under this prefix. Matches REDIS_PREFIX's format
 * (no trailing colon; add one for ioredis' `keyPrefix`). `label` only makes
 * leftovers recognisable.
 */
export function testRedisPrefix(label: string): string {
  const slug =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 30) || 'test';
  return `t:${slug}:${randomBytes(5).toString('hex')}`;
}
