import { documentsEnv, loadConfigOrExit } from '@docuvault/shared/config/index';
import { createOrm, databaseTimeouts } from '@docuvault/shared/db/orm';
import { redisCheck } from '@docuvault/shared/health/index';
import { schemaCurrentCheck } from '@docuvault/shared/health/schema-check';
import { stopOnSignals } from '@docuvault/shared/http/shutdown';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import { startObjectRemovalSweeper } from './object-removals/object-removals.ts';
import { startTicketSweeper } from './direct-uploads/ticket-sweeper.ts';
import { createDocumentsSubgraph } from './documents-subgraph.ts';
import { startSweeper } from './uploads/index.ts';

const config = loadConfigOrExit('documents', documentsEnv);
const logger = createLogger('documents', config.LOG_LEVEL);
const orm = await createOrm({
  url: config.DATABASE_URL,
  poolMax: config.DATABASE_POOL_MAX,
  timeouts: databaseTimeouts(config),
});
const redis = createRedis(config.REDIS_URL, 'producer');
const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
const schema = schemaCurrentCheck(orm.em);

const store = createObjectStore(config);
const server = await createDocumentsSubgraph(
  { config, logger, em: orm.em, store, queue, redis },
  // Without Redis, reads are still served (mutations answer 503: no replay check): warn, not 503.
  { extraReadyChecks: [schema, redisCheck(redis, { whenFailing: 'warn' })] },
);
const running = await server.listen(config.HOST, config.DOCUMENTS_PORT);
// Re-enqueues documents whose classify job never reached Redis, and aborts unfinished multipart uploads.
const sweeper = startSweeper({ em: orm.em, queue, logger, config, store });
// Removes expired direct-upload tickets and whatever was uploaded for them.
const tickets = startTicketSweeper({ em: orm.em, store, logger, config });
// Removes the objects of deleted accounts that the store refused at the time.
const removals = startObjectRemovalSweeper({
  em: orm.em,
  store,
  logger,
  intervalSeconds: config.UPLOAD_SWEEP_INTERVAL_SECONDS,
});
stopOnSignals(logger, async () => {
  await running.close();
  await sweeper.stop();
  await tickets.stop();
  await removals.stop();
  await queue.close();
  redis.disconnect();
  await orm.close();
});
