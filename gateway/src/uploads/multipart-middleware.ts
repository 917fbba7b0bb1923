import type { Server } from 'node:http';
import type { GatewayConfig } from '@docuvault/shared/config/index';
import { AppError } from '@docuvault/shared/errors/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { Request, RequestHandler } from 'express';
import { IncomingUploads } from './incoming-uploads.ts';
import { CSRF_MESSAGE, sendUploadError } from './upload-errors.ts';

export type GatewayUploadConfig = Pick<
  GatewayConfig,
  'MAX_UPLOAD_BYTES' | 'MAX_FILES_PER_REQUEST' | 'UPLOAD_IDLE_TIMEOUT_MS'
>;

const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'];
const uploadsByRequest = new WeakMap<Request, IncomingUploads>();

/** The uploads of a multipart request, for the Apollo context (undefined for other requests). */
export const uploadsOf = (req: Request): IncomingUploads | undefined => uploadsByRequest.get(req);

/** Apollo's CSRF rule, applied before any byte of the body is read (Apollo checks again later). */
function hasPreflightHeader(req: Request): boolean {
  return PREFLIGHT_HEADERS.some((name) => {
    const value = req.headers[name];
    return typeof value === 'string' && value.trim() !== '';
  });
}

/**
 * A client that stops sending for `idleMs` is cut off, so a stalled upload holds no
 * subgraph request open. Once the body is in, answering may take as long as it needs.
 */
function abortWhenIdle(req: Request, idleMs: number): void {
  req.setTimeout(idleMs, () => {
    if (!req.complete) req.destroy(new Error(`no upload data for ${idleMs} ms`));
  });
  req.once('end', () => req.setTimeout(0));
}

/**
 * Accepts GraphQL multipart requests on /graphql: reads `operations` and `map`, puts a
 * placeholder where each file goes and lets Apollo plan and execute the operation as
 * usual. The file parts are not read here: the data source of the fetch that uses them
 * streams them on to the subgraph (upload-data-source.ts). Malformed requests are
 * answered here with a GraphQL error and our codes, never an HTML error page.
 */
export function createUploadMiddleware(config: GatewayUploadConfig, logger: Logger): RequestHandler {
  const limits = { maxFileBytes: config.MAX_UPLOAD_BYTES, maxFiles: config.MAX_FILES_PER_REQUEST };
  return (req, res, next) => {
    // The plain test first: req.is parses the content type, and nearly every request is JSON.
    const type = req.headers['content-type'];
    if (type === undefined || !/multipart/i.test(type) || !req.is('multipart/form-data')) {
      next();
      return;
    }
    if (!hasPreflightHeader(req)) {
      // Refused unread; Node drains the body after the answer, so the client does read it.
      sendUploadError(res, { code: 'BAD_REQUEST', message: CSRF_MESSAGE });
      return;
    }
    abortWhenIdle(req, config.UPLOAD_IDLE_TIMEOUT_MS);
    IncomingUploads.parse(req, limits).then(
      ({ operations, uploads }) => {
        uploadsByRequest.set(req, uploads);
        res.once('close', () => uploads.dispose());
        req.body = operations;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof AppError))
          logger.error({ err: error }, 'unexpected error while reading a multipart request');
        sendUploadError(
          res,
          error instanceof AppError ? error : new AppError('BAD_USER_INPUT', 'Malformed multipart request'),
        );
      },
    );
  };
}

/**
 * Node ends any request whose body takes longer than `requestTimeout` (5 minutes by
 * default) to arrive: a large upload on a slow link would be cut off mid-file. Uploads
 * are bounded by the idle timeout above instead; headersTimeout still guards the rest.
 */
export function allowLongUploads(server: Server): void {
  server.requestTimeout = 0;
}
