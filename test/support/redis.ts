// Moved to devkit/scratch/redis.ts (shared with bench/, which must not import test/). Tests keep
// importing this path.
export * from '../../devkit/scratch/redis.ts';
