import { AppError } from '@docuvault/shared/errors/index';
import type { ServerResponse } from 'node:http';
import type { GraphQLFormattedError } from 'graphql';

// The refusals of the gateway's limits. A limit on the shape of an operation (depth,
// aliases, root fields, directives, tokens, batch size) is QUERY_TOO_COMPLEX; a request
// that is not a GraphQL request at all (too large, not JSON) is Apollo's BAD_REQUEST.

export type OperationLimit =
  'depth' | 'aliases' | 'rootFields' | 'directives' | 'tokens' | 'nesting' | 'batchSize' | 'validation';

export const tooComplex = (limit: OperationLimit, max: number, message: string) =>
  new AppError('QUERY_TOO_COMPLEX', message, { limit, max });

/**
 * Answers a request refused before Apollo saw it, in the shape of a GraphQL response.
 * Written with Node's own response methods, so the gateway's JSON route (which has no
 * Express response) and its Express routes answer alike.
 */
export function sendRequestError(
  res: ServerResponse,
  status: number,
  error: { code: string; message: string; details?: Readonly<Record<string, unknown>> | undefined },
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({
    errors: [{ message: error.message, extensions: { ...error.details, code: error.code } }],
  });
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
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
