import type { ServerResponse } from 'node:http';
import type { AppError } from '@docuvault/shared/errors/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { sendRequestError, tooComplex } from './limit-errors.ts';

export interface BodyLimits {
  readonly maxBodyBytes: number;
  /** 0: batched requests are refused (by Apollo: allowBatchedHttpRequests is off). */
  readonly maxBatchSize: number;
}

interface BodyParserError {
  status?: number;
  type?: string;
}

/** express.json's errors: http-errors with a 4xx status (a zlib error of a bad gzip body included). */
const isBodyParserError = (error: unknown): error is BodyParserError => {
  const status = (error as BodyParserError | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
};

/**
 * express.json's refusals (too large, not JSON, a charset it cannot decode) as GraphQL
 * errors with Apollo's BAD_REQUEST, instead of Express's HTML error page. Only its own
 * errors: anything else goes on to the final handler.
 */
function bodyParserErrors(limits: BodyLimits): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (!isBodyParserError(error)) return next(error);
    if (error.type === 'entity.too.large') {
      return sendRequestError(res, 413, {
        code: 'BAD_REQUEST',
        message: `The request body is larger than the limit of ${limits.maxBodyBytes} bytes`,
        details: { maxBytes: limits.maxBodyBytes },
      });
    }
    const status = error.status === 415 ? 415 : 400;
    const message =
      error.type === 'entity.parse.failed'
        ? 'The request body is not valid JSON'
        : 'The request body could not be read as JSON (its encoding, charset or compression)';
    sendRequestError(res, status, { code: 'BAD_REQUEST', message });
  };
}

/** JSON bodies up to GRAPHQL_MAX_BODY_BYTES (uploads are multipart and have their own limit). */
export function jsonBody(limits: BodyLimits): [RequestHandler, ErrorRequestHandler] {
  return [express.json({ limit: limits.maxBodyBytes }), bodyParserErrors(limits)];
}

/** With batching on, no more than GRAPHQL_MAX_BATCH_SIZE operations in one request. */
export function batchSizeRefusal(body: unknown, limits: BodyLimits): AppError | undefined {
  if (limits.maxBatchSize > 0 && Array.isArray(body) && body.length > limits.maxBatchSize) {
    return tooComplex(
      'batchSize',
      limits.maxBatchSize,
      `A batch may hold at most ${limits.maxBatchSize} operations`,
    );
  }
  return undefined;
}

export function batchSizeGuard(limits: BodyLimits): RequestHandler {
  return (req, res, next) => {
    const error = batchSizeRefusal(req.body, limits);
    if (error) return sendRequestError(res, 400, error);
    next();
  };
}

/**
 * An error nobody answered becomes a GraphQL-shaped 500 (Express would answer an HTML
 * page, with the stack trace outside production), and the error goes to the log with
 * the request id.
 */
export function answerUnhandledError(
  logger: Logger,
  error: unknown,
  res: ServerResponse,
  path: string,
): void {
  logger.error({ err: error, path }, 'unhandled error while serving a request');
  sendRequestError(res, 500, { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
}

/** The last handler of the app. */
export function finalErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => answerUnhandledError(logger, error, res, req.originalUrl);
}
