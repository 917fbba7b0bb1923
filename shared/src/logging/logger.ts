import { pino, type Logger, type LevelWithSilent } from 'pino';
import { currentRequestId } from './request-context.ts';

export type { Logger };

export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    redact: { paths: ['req.headers.authorization', '*.password', '*.secretKey'], censor: '[redacted]' },
  });
}
