import { AppError } from '@docuvault/shared/errors/index';
import type { Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';

// The refusals of the gateway's limits. A limit on the shape of an operation (depth,
// aliases, root fields, directives, tokens, batch size) is QUERY_TOO_COMPLEX; a request
// that is not a GraphQL request at all (too large, not JSON) is Apollo's BAD_REQUEST.

export type OperationLimit =
  'depth' | 'aliases' | 'rootFields' | 'directives' | 'tokens' | 'nesting' | 'batchSize' | 'validation';

export const tooComplex = (limit: OperationLimit, max: number, message: string) =>
  new AppError('QUERY_TOO_COMPLEX', message, { limit, max });

/** Answers a request refused before Apollo saw it, in the shape of a GraphQL response. */
export function sendRequestError(
  res: Response,
  status: number,
  error: { code: string; message: string; details?: Readonly<Record<string, unknown>> | undefined },
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json({
    errors: [{ message: error.message, extensions: { ...error.details, code: error.code } }],
  });
}

/**
 * graphql-js gives up validating an operation whose overlapping fields would cost too
 * much to compare ("Validation aborted.", a budget of its own since 16.11): a refusal
 * for complexity like ours, so the client gets the same code.
 */
export function validationBudgetRefusal(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (
    formatted.extensions?.code !== 'GRAPHQL_VALIDATION_FAILED' ||
    formatted.message !== 'Validation aborted.'
  ) {
    return formatted;
  }
  return {
    message: 'The operation is too complex to validate',
    extensions: { ...formatted.extensions, code: 'QUERY_TOO_COMPLEX', limit: 'validation' },
  };
}
