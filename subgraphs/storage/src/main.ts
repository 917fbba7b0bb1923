import { loadConfigOrExit, storageEnv } from '@docuvault/shared/config/index';
import { redisCheck } from '@docuvault/shared/health/index';
import { stopOnSignals } from '@docuvault/shared/http/shutdown';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createRedis } from '@docuvault/shared/queue/redis';
import { createStorageSubgraph } from './storage-subgraph.ts';

const config = loadConfigOrExit('storage', storageEnv);
const logger = createLogger('storage', config.LOG_LEVEL);
const store = createObjectStore(config);

// Remembers each signed call id, so a replayed call is refused (docs/adr/0001).
const redis = createRedis(config.REDIS_URL, 'producer');
const server = await createStorageSubgraph(
  { config, logger, store, redis },
  // Without Redis, downloads are still served (signed reads are then not checked for replay): warn.
  { extraReadyChecks: [redisCheck(redis, { whenFailing: 'warn' })] },
);
const running = await server.listen(config.HOST, config.STORAGE_PORT);
stopOnSignals(logger, async () => {
  await running.close();
  redis.disconnect();
});
