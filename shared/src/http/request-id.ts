import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logging/logger.ts';
import { requestIdFrom, runWithRequestContext } from '../logging/request-context.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Adopts the caller's x-request-id (the gateway's, for subgraphs) or makes one, echoes
 * it in the response, logs one line when the answer is sent and runs `next` inside the
 * request's context, so every log line of the request carries the id. `path` is read
 * only when the line is written. For Express routes (requestIdMiddleware) and for the
 * gateway's own POST /graphql route, which answers without Express.
 */
export function trackRequest(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  path: () => string,
  next: () => void,
): void {
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  runWithRequestContext({ requestId }, () => {
    const started = performance.now();
    res.on('finish', () => {
      const requestPath = path();
      if (requestPath.startsWith('/health/')) return;
      logger.info(
        {
          method: req.method,
          path: requestPath,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    });
    next();
  });
}

export function requestIdMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => trackRequest(logger, req, res, () => req.path, next);
}
