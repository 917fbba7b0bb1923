import type { RequestHandler } from 'express';
import type { Logger } from '../logging/logger.ts';
import { requestIdFrom, runWithRequestContext } from '../logging/request-context.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Adopts the caller's x-request-id (the gateway's, for subgraphs) or makes one,
 * echoes it in the response and runs the rest of the request inside its
 * context, so every log line of the request carries it.
 */
export function requestIdMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    runWithRequestContext({ requestId }, () => {
      const started = performance.now();
      res.on('finish', () => {
        if (req.path.startsWith('/health/')) return;
        logger.info(
          {
            method: req.method,
            path: req.path,
            status: res.statusCode,
            ms: Math.round(performance.now() - started),
          },
          'request',
        );
      });
      next();
    });
  };
}
