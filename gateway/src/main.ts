import { gatewayEnv, loadConfigOrExit } from '@docuvault/shared/config/index';
import { stopOnSignals } from '@docuvault/shared/http/shutdown';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createGatewayServer } from './gateway-server.ts';

const config = loadConfigOrExit('gateway', gatewayEnv);
const logger = createLogger('gateway', config.LOG_LEVEL);
const server = await createGatewayServer(config, logger);
const running = await server.listen(config.HOST, config.GATEWAY_PORT);
logger.info({ url: `${running.url}/graphql` }, 'gateway ready for requests');
stopOnSignals(logger, () => running.close());
