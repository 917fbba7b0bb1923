import type { Redis } from 'ioredis';

/**
 * Takes a slot when the owner holds fewer than ARGV[4] live ones (or holds this one
 * already), dropping slots whose lease lapsed (their worker died) first.
 * KEYS[1] the owner's slots; ARGV: now, lease expiry, job id, limit, key ttl.
 */
const CLAIM = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

const LEASE_MS = 30_000;

export interface OwnerSlot {
  release(): Promise<void>;
}

/**
 * Fairness between owners: one owner runs at most `perOwner` heavy jobs at a time across
 * every worker (a sorted set per owner in Redis, members leased and renewed while the job
 * runs, so a dead worker's slot frees itself). A job that finds no slot waits (delayed)
 * and its worker slot serves the next job, another owner's or a light one.
 */
export class OwnerSlots {
  private readonly redis: Redis;
  private readonly prefix: string;
  readonly heavyBytes: number;
  private readonly perOwner: number;

  constructor(redis: Redis, options: { prefix: string; heavyBytes: number; perOwner: number }) {
    this.redis = redis;
    this.prefix = options.prefix;
    this.heavyBytes = options.heavyBytes;
    this.perOwner = options.perOwner;
  }

  private key(owner: string | null): string {
    return `${this.prefix}:classify:heavy-jobs:${owner ?? '_anonymous'}`;
  }

  /**
   * A slot for a document's job: none needed for a light document; undefined when the
   * owner's heavy slots are all taken (the job should wait).
   */
  async claim(
    document: { owner: string | null; sizeBytes: number },
    jobId: string,
  ): Promise<OwnerSlot | undefined> {
    if (document.sizeBytes < this.heavyBytes) return { release: async () => undefined };
    const key = this.key(document.owner);
    const take = () =>
      this.redis.eval(CLAIM, 1, key, Date.now(), Date.now() + LEASE_MS, jobId, this.perOwner, LEASE_MS * 2);
    if ((await take()) !== 1) return undefined;
    const renewal = setInterval(() => void take().catch(() => undefined), LEASE_MS / 3);
    return {
      release: async () => {
        clearInterval(renewal);
        await this.redis.zrem(key, jobId);
      },
    };
  }
}

/** How long a job that found no slot waits before it is tried again: 1–3 s. */
export const waitForSlotMs = () => 1_000 + Math.floor(Math.random() * 2_000);
