import type { Server } from 'node:http';
import type { Logger } from '../logging/logger.ts';
import { missingServiceNodeFlags } from '../system/node-flags.ts';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(
  server: Server,
  options: { host: string; port: number; logger: Logger },
): Promise<RunningServer> {
  // Above the usual 5 s so a client's (or the gateway's) pooled connection is
  // never closed by us at the moment it sends a request on it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  options.logger.info({ url }, 'listening');
  const missing = missingServiceNodeFlags();
  if (missing.length > 0) {
    // It still works, at a higher CPU cost per request: say so once, where operators look.
    options.logger.warn(
      { missing },
      'started without the Node.js flags services run with (shared/src/system/node-flags.ts)',
    );
  }
  return {
    server,
    port,
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
