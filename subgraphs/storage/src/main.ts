import { loadConfigOrExit, storageEnv } from '@docuvault/shared/config/index';
import { stopOnSignals } from '@docuvault/shared/http/shutdown';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createStorageSubgraph } from './storage-subgraph.ts';

const config = loadConfigOrExit('storage', storageEnv);
const logger = createLogger('storage', config.LOG_LEVEL);
const store = createObjectStore(config);

const server = await createStorageSubgraph({ config, logger, store });
const running = await server.listen(config.HOST, config.STORAGE_PORT);
stopOnSignals(logger, async () => {
  await running.close();
});
