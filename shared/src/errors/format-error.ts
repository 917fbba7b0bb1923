import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logging/logger.ts';
import { AppError } from './app-error.ts';
import { PASSTHROUGH_CODES } from './codes.ts';

/**
 * Apollo `formatError` for every service: known codes go to the client as they
 * are; anything else becomes INTERNAL_SERVER_ERROR with a generic message, and
 * the real error (with stack) goes only to the log, tagged with the request id.
 */
export function createErrorFormatter(logger: Logger, options: { exposeDetails: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    if (original instanceof AppError) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { ...(original.details ?? {}), code: original.code },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PASSTHROUGH_CODES.has(code)) {
      if (options.exposeDetails) return formatted;
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while serving GraphQL');
    return {
      message: options.exposeDetails ? formatted.message : 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
