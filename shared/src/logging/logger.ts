import { pino, type Logger, type LevelWithSilent } from 'pino';
import { currentRequestId } from './request-context.ts';

export type { Logger };

/**
 * Standard output, written asynchronously. pino's default writes every line with a
 * synchronous write(2) on the event loop: with a line per request that was about 7 % of
 * the gateway's busy CPU (docs/adr/0012-gateway-hot-path.md). Asynchronously, lines that
 * arrive while a write is under way are gathered into the next one, off the event loop.
 * pino flushes what is still buffered synchronously on process exit (process.exit, the
 * end of the event loop, an uncaught exception), so a stop or a crash loses no line. A
 * SIGKILL (or the kernel's out-of-memory kill) can lose what arrived during the write then
 * under way: at most a few lines, the price of not blocking on every one.
 */
const stdout = () => pino.destination({ dest: process.stdout.fd, sync: false });

export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      redact: { paths: ['req.headers.authorization', '*.password', '*.secretKey'], censor: '[redacted]' },
    },
    stdout(),
  );
}
