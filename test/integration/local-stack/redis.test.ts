import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { redis as redisEnv } from '@docuvault/shared/config/env-schema';
import { pingRedis, startRedis } from '@docuvault/local-stack/redis';
import { testRedisPrefix, testRedisUrl } from '../../support/redis.ts';

describe('local stack: Redis', () => {
  const clients: Redis[] = [];
  const connect = (keyPrefix?: string) => {
    const client = new Redis(testRedisUrl(), { keyPrefix, lazyConnect: false, maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
  });

  it('answers PING on the harness URL', async () => {
    expect(await connect().ping()).toBe('PONG');
  });

  it('gives each test file a prefix of its own that REDIS_PREFIX accepts', async () => {
    const a = testRedisPrefix('Documents upload.test');
    const b = testRedisPrefix('Documents upload.test');
    expect(a).not.toBe(b);
    expect(
      z.object(redisEnv).parse({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: a }).REDIS_PREFIX,
    ).toBe(a);

    const plain = connect();
    const inA = connect(`${a}:`);
    const inB = connect(`${b}:`);
    try {
      await inA.set('queue:next', 'file-a');
      await inB.set('queue:next', 'file-b');
      expect(await inA.get('queue:next')).toBe('file-a');
      expect(await inB.get('queue:next')).toBe('file-b');
      // Everything file A wrote is under its prefix, and nothing of file B is.
      expect(await plain.keys(`${a}:*`)).toEqual([`${a}:queue:next`]);
      expect(await plain.keys(`${b}:*`)).toEqual([`${b}:queue:next`]);
    } finally {
      await plain.del(`${a}:queue:next`, `${b}:queue:next`);
    }
  });

  it('startRedis runs a BullMQ-ready server on 127.0.0.1 and stops it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'docuvault-redis-'));
    const server = await startRedis({ dataDir: path.join(dir, 'redis') });
    try {
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
      try {
        expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
        expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
        expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
        expect(await client.config('GET', 'save')).toEqual(['save', '']);
      } finally {
        client.disconnect();
      }
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
    expect(await pingRedis(server.port)).toBe(false);
  });
});
