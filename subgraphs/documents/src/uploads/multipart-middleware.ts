import type { DocumentsConfig } from '@docuvault/shared/config/index';
import { AppError } from '@docuvault/shared/errors/index';
import type { Request, RequestHandler, Response } from 'express';
import { processRequest, Upload } from 'graphql-upload-ts';
import { watchCaller } from './client-gone.ts';
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

/** Every Upload the parser placed into the operations (at the paths of `map`). */
function uploadsIn(value: unknown, found: Upload[] = [], depth = 0): Upload[] {
  if (value instanceof Upload) found.push(value);
  else if (value && typeof value === 'object' && depth < 32) {
    for (const child of Object.values(value)) uploadsIn(child, found, depth + 1);
  }
  return found;
}

/**
 * graphql-upload-ts spools each file to a temp file and deletes it when the response
 * closes, but only for files that had arrived by then. A file part arriving after an
 * early answer (a failed resolver, CSRF refusal) would stay on disk until the process
 * exits, so each upload's temp file is released whenever it resolves after the close.
 */
function releaseTempFilesOnClose(req: Request, res: Response, operations: unknown): void {
  res.once('close', () => {
    // Answered before the body was through (a refused file): parsing on would stall on
    // the released temp files and keep the connection busy. Drop the rest unread.
    if (!req.complete) {
      req.unpipe();
      req.resume();
    }
    for (const upload of uploadsIn(operations)) {
      upload.promise.then(
        (file) => file.capacitor.release(),
        () => undefined,
      );
    }
  });
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
 * Apollo expects, with `Upload` values in place of the files. Placed before Apollo on
 * /graphql; other requests pass through. Errors answer as GraphQL errors with our codes.
 */
export function createUploadMiddleware(config: UploadMiddlewareConfig): RequestHandler {
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
    processRequest(req, res, {
      // busboy reports a file of exactly `fileSize` bytes as truncated: +1 makes the limit inclusive.
      maxFileSize: config.MAX_UPLOAD_BYTES + 1,
      maxFiles: config.MAX_FILES_PER_REQUEST,
      maxFieldSize: MAX_FIELD_BYTES,
    }).then(
      (operations) => {
        releaseTempFilesOnClose(req, res, operations);
        watchCaller(res, uploadsIn(operations));
        req.body = operations;
        next();
      },
      (error: unknown) => sendUploadError(res, toUploadError(error, limits)),
    );
  };
}
