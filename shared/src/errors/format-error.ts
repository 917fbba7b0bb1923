import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logging/logger.ts';
import { AppError } from './app-error.ts';
import { PASSTHROUGH_CODES } from './codes.ts';
import { dependencyOutage, RETRY_AFTER_SECONDS, serviceUnavailable } from './dependency-errors.ts';

export interface ErrorFormatOptions {
  /**
   * Raw messages of unexpected errors (and, in Apollo's own option, stack traces) reach
   * the client: only when the operator asked for it (GRAPHQL_ERROR_DETAILS, see
   * `errorDetailsExposed` in shared/src/config), never because NODE_ENV was left unset.
   */
  exposeDetails: boolean;
}

const originalOf = (error: unknown): unknown =>
  error instanceof GraphQLError && error.originalError ? error.originalError : error;

const where = (formatted: GraphQLFormattedError) => ({
  ...(formatted.locations ? { locations: formatted.locations } : {}),
  ...(formatted.path ? { path: formatted.path } : {}),
});

/** Every SERVICE_UNAVAILABLE tells the client when to retry, whoever raised it. */
function withRetryHint(code: unknown, extensions: Record<string, unknown>): Record<string, unknown> {
  if (code !== 'SERVICE_UNAVAILABLE' || typeof extensions.retryAfterSeconds === 'number') return extensions;
  return { ...extensions, retryAfterSeconds: RETRY_AFTER_SECONDS };
}

/**
 * Apollo `formatError` for every service: known codes go to the client as they are; a
 * dependency outage becomes SERVICE_UNAVAILABLE with a retry hint, in every mode; anything
 * else becomes INTERNAL_SERVER_ERROR with a generic message. The real error (with stack)
 * goes only to the log, tagged with the request id. Stack traces leave only with
 * `exposeDetails`.
 */
export function createErrorFormatter(logger: Logger, options: ErrorFormatOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = originalOf(error);
    if (original instanceof AppError) {
      return {
        message: original.message,
        ...where(formatted),
        extensions: withRetryHint(original.code, { ...(original.details ?? {}), code: original.code }),
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PASSTHROUGH_CODES.has(code)) {
      const { stacktrace, ...extensions } = formatted.extensions ?? {};
      return {
        ...formatted,
        extensions: withRetryHint(code, options.exposeDetails ? { ...extensions, stacktrace } : extensions),
      };
    }
    // After the pass-through: a client error quoting the client's text must stay what it is.
    const outage = dependencyOutage(original);
    if (outage) {
      logger.warn({ err: original, path: formatted.path, outage }, 'a dependency is unavailable');
      const unavailable = serviceUnavailable();
      return {
        message: unavailable.message,
        ...where(formatted),
        extensions: { ...unavailable.details, code: unavailable.code },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while serving GraphQL');
    return {
      message: options.exposeDetails ? formatted.message : 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: {
        code: 'INTERNAL_SERVER_ERROR',
        ...(options.exposeDetails && formatted.extensions?.stacktrace
          ? { stacktrace: formatted.extensions.stacktrace }
          : {}),
      },
    };
  };
}
