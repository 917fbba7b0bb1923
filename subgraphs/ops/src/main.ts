import { loadConfigOrExit, opsEnv } from '@docuvault/shared/config/index';
import { stopOnSignals } from '@docuvault/shared/http/shutdown';
import { createOrm, databaseTimeouts } from '@docuvault/shared/db/orm';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import { createOpsSubgraph } from './ops-subgraph.ts';

const config = loadConfigOrExit('ops', opsEnv);
const logger = createLogger('ops', config.LOG_LEVEL);
// Connects lazily: ops starts and reports health while PostgreSQL is down. The driver
// logs a dropped idle connection instead of letting it crash the process.
const orm = await createOrm({
  url: config.DATABASE_URL,
  poolMax: config.DATABASE_POOL_MAX,
  timeouts: databaseTimeouts(config),
});
const redis = createRedis(config.REDIS_URL, 'producer');
const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
const server = await createOpsSubgraph({
  config,
  logger,
  orm,
  redis,
  queue,
  store: createObjectStore(config),
});
const running = await server.listen(config.HOST, config.OPS_PORT);
stopOnSignals(logger, async () => {
  await running.close();
  await queue.close();
  redis.disconnect();
  await orm.close();
});
