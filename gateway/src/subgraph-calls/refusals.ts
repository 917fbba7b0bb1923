import type { FetcherResponse } from '@apollo/utils.fetcher';
import { AppError } from '@docuvault/shared/errors/index';
import { SIGNATURE_SCHEME } from '@docuvault/shared/http/subgraph-signature';
import type { Logger } from '@docuvault/shared/logging/logger';
import { GraphQLError } from 'graphql';

/**
 * A subgraph that refuses the gateway's signature means the two disagree on SECRET_KEY
 * (or their clocks on the time): an operator's problem, never the client's, so the
 * client sees SERVICE_UNAVAILABLE, not the subgraph's UNAUTHENTICATED.
 */
export async function refusedSignature(
  response: FetcherResponse,
  logger: Logger | undefined,
): Promise<GraphQLError | undefined> {
  const challenge = response.headers.get('www-authenticate') ?? '';
  if (response.status !== 401 || !challenge.startsWith(SIGNATURE_SCHEME)) return undefined;
  await response.text().catch(() => undefined);
  logger?.error(
    { status: response.status, challenge },
    'a subgraph refused the gateway’s signature: do both use the same SECRET_KEY, and agree on the time?',
  );
  const error = new AppError('SERVICE_UNAVAILABLE', 'A service is unavailable; try again later');
  return new GraphQLError(error.message, { originalError: error });
}
