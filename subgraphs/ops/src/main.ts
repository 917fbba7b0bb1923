import { loadConfigOrExit, opsEnv } from '@docuvault/shared/config/index';
import { stopOnSignals } from '@docuvault/shared/http/shutdown';
import { databaseTimeouts, poolTimeouts } from '@docuvault/shared/db/timeouts';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import pg from 'pg';
import { createOpsSubgraph } from './ops-subgraph.ts';

const config = loadConfigOrExit('ops', opsEnv);
const logger = createLogger('ops', config.LOG_LEVEL);
const pool = new pg.Pool({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_MAX,
  ...poolTimeouts(databaseTimeouts(config)),
});
pool.on('error', (error) => logger.warn({ err: error }, 'idle postgres connection failed'));
const redis = createRedis(config.REDIS_URL, 'producer');
const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
const server = await createOpsSubgraph({
  config,
  logger,
  pool,
  redis,
  queue,
  store: createObjectStore(config),
});
const running = await server.listen(config.HOST, config.OPS_PORT);
stopOnSignals(logger, async () => {
  await running.close();
  await queue.close();
  redis.disconnect();
  await pool.end();
});
