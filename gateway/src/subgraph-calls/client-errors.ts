import { AppError, createErrorFormatter } from '@docuvault/shared/errors/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { validationBudgetRefusal } from '../limits/index.ts';

/**
 * Extensions that describe our insides rather than the client's request: which subgraph
 * answered, stack traces, the raw HTTP exchange with a subgraph (its URL included).
 */
const INTERNAL_EXTENSIONS = ['serviceName', 'stacktrace', 'exception', 'response', 'http'];

const originalOf = (error: unknown): unknown =>
  error instanceof GraphQLError && error.originalError ? error.originalError : error;

/**
 * The gateway's formatError: the shared policy (codes, unknown errors hidden and logged),
 * plus what only the gateway sees. INTERNAL_SERVER_ERROR is a known code, so the shared
 * formatter passes it on as it is: from a subgraph, or Apollo's code for a thrown plain
 * Error, it may carry SQL or a hostname in its message. Here it is logged in full (the
 * logger adds the request id) and, unless error details are exposed (GRAPHQL_ERROR_DETAILS),
 * reduced to a generic message; every internal extension is dropped unless they are.
 */
export function createGatewayErrorFormatter(logger: Logger, options: { exposeDetails: boolean }) {
  const format = createErrorFormatter(logger, { exposeDetails: options.exposeDetails });
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = validationBudgetRefusal(format(formatted, error));
    const original = originalOf(error);
    // Passed through by the shared formatter (which logs only the codes it does not know).
    const passedInternal =
      !(original instanceof AppError) &&
      formatted.extensions?.code === 'INTERNAL_SERVER_ERROR' &&
      result.extensions?.code === 'INTERNAL_SERVER_ERROR';
    if (passedInternal) {
      logger.error(
        { err: original, message: formatted.message, path: formatted.path },
        'internal error while serving GraphQL',
      );
    }
    if (options.exposeDetails) return result;
    const extensions = { ...result.extensions };
    for (const name of INTERNAL_EXTENSIONS) delete extensions[name];
    return {
      ...result,
      ...(passedInternal ? { message: 'Internal server error' } : {}),
      extensions: { ...extensions, code: extensions.code ?? 'INTERNAL_SERVER_ERROR' },
    };
  };
}
