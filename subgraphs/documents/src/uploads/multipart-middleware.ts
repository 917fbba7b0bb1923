import type { DocumentsConfig } from '@docuvault/shared/config/index';
import { AppError } from '@docuvault/shared/errors/index';
import { refuseSignature } from '@docuvault/shared/http/subgraph-signature';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { Request, RequestHandler, Response } from 'express';
import { watchCaller } from './client-gone.ts';
import { readMultipart } from './multipart-request.ts';
import { toUploadError } from './upload-errors.ts';

export type UploadMiddlewareConfig = Pick<
  DocumentsConfig,
  'MAX_UPLOAD_BYTES' | 'MAX_FILES_PER_REQUEST' | 'UPLOAD_IDLE_TIMEOUT_MS'
>;

/** `operations` and `map` are JSON; a query with its variables never needs more. */
const MAX_FIELD_BYTES = 1024 * 1024;
const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'];

/** Apollo's CSRF rule, applied before any byte of the body is read (Apollo checks again later). */
export function hasPreflightHeader(req: Request): boolean {
  return PREFLIGHT_HEADERS.some((name) => {
    const value = req.headers[name];
    return typeof value === 'string' && value.trim() !== '';
  });
}

export function sendUploadError(res: Response, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const known =
    error instanceof AppError ? error : new AppError('BAD_USER_INPUT', 'Malformed multipart request');
  const status = known.code === 'FILE_TOO_LARGE' || known.code === 'TOO_MANY_FILES' ? 413 : 400;
  res
    .status(status)
    .json({ errors: [{ message: known.message, extensions: { ...known.details, code: known.code } }] });
}

/**
 * A client that stops sending for `idleMs` is cut off: a stalled upload must not hold a
 * temp file and an unfinished S3 upload forever. (Node's requestTimeout, which bounds the
 * whole body, is the wrong tool for large files on slow links.)
 */
function abortWhenIdle(req: Request, idleMs: number): void {
  req.setTimeout(idleMs, () => {
    if (!req.complete) req.destroy(new Error(`no upload data for ${idleMs} ms`));
  });
  // Once the body is in, answering may take as long as it needs.
  req.once('end', () => req.setTimeout(0));
}

/**
 * Parses GraphQL multipart requests (the GraphQL multipart request spec) into the body
 * Apollo expects, with `Upload` values in place of the files (multipart-request.ts).
 * Placed before Apollo on /graphql; other requests pass through. Errors answer as
 * GraphQL errors with our codes; fields that are not what the gateway signed, with 401.
 */
export function createUploadMiddleware(config: UploadMiddlewareConfig, logger?: Logger): RequestHandler {
  const limits = { maxBytes: config.MAX_UPLOAD_BYTES, maxFiles: config.MAX_FILES_PER_REQUEST };
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next();
      return;
    }
    if (!hasPreflightHeader(req)) {
      res.status(400).json({
        errors: [
          {
            message:
              'This multipart request has been blocked as a potential cross-site request forgery: ' +
              'send an `apollo-require-preflight: true` header.',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
      return;
    }
    abortWhenIdle(req, config.UPLOAD_IDLE_TIMEOUT_MS);
    readMultipart(req, res, {
      maxFileBytes: config.MAX_UPLOAD_BYTES,
      maxFiles: config.MAX_FILES_PER_REQUEST,
      maxFieldBytes: MAX_FIELD_BYTES,
    }).then(
      (parsed) => {
        if ('unsigned' in parsed) {
          logger?.warn(
            { refusal: parsed.unsigned },
            'refused a multipart request whose operation is not what the gateway signed',
          );
          refuseSignature(res, parsed.unsigned);
          return;
        }
        watchCaller(res, parsed.operations);
        req.body = parsed.operations;
        next();
      },
      (error: unknown) => sendUploadError(res, toUploadError(error, limits)),
    );
  };
}
