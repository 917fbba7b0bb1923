import { loadConfigOrExit, storageEnv } from '@docuvault/shared/config/index';
import { createOrm, databaseTimeouts } from '@docuvault/shared/db/orm';
import { redisCheck } from '@docuvault/shared/health/index';
import { schemaCurrentCheck } from '@docuvault/shared/health/schema-check';
import { stopOnSignals } from '@docuvault/shared/http/shutdown';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import { createStorageSubgraph } from './storage-subgraph.ts';
import { startTicketSweeper } from './tickets/ticket-sweeper.ts';

const config = loadConfigOrExit('storage', storageEnv);
const logger = createLogger('storage', config.LOG_LEVEL);
const store = createObjectStore(config);
const orm = await createOrm({
  url: config.DATABASE_URL,
  poolMax: config.DATABASE_POOL_MAX,
  timeouts: databaseTimeouts(config),
});
// completeUpload enqueues classification like the documents subgraph's uploads do.
const redis = createRedis(config.REDIS_URL, 'producer');
const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
const schema = schemaCurrentCheck(config.DATABASE_URL);

const server = await createStorageSubgraph(
  { config, logger, store, tickets: { em: orm.em, queue }, redis },
  // Without Redis, reads are still served (mutations answer 503: no replay check): warn.
  { extraReadyChecks: [schema, redisCheck(redis, { whenFailing: 'warn' })] },
);
const running = await server.listen(config.HOST, config.STORAGE_PORT);
const sweeper = startTicketSweeper({ em: orm.em, store, logger, config });
stopOnSignals(logger, async () => {
  await running.close();
  await sweeper.stop();
  await queue.close();
  redis.disconnect();
  await schema.close();
  await orm.close();
});
