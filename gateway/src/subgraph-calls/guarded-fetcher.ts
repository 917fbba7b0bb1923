import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';
import { AppError } from '@docuvault/shared/errors/index';
import { CLIENT_IP_HEADER, PRINCIPAL_HEADER } from '@docuvault/shared/auth/principal';
import { REQUEST_ID_HEADER } from '@docuvault/shared/http/request-id';
import {
  nowSeconds,
  sha256Hex,
  signatureHeaders,
  UNSIGNED_PAYLOAD,
} from '@docuvault/shared/http/subgraph-signature';
import type { SubgraphCalls } from './index.ts';

const pathOf = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/**
 * Signs a request before its body exists, as a multipart upload: the upload data source
 * sends those itself (streaming the files), past the fetcher, so they carry this
 * signature. A JSON call gets a signature over its body from guardFetcher, which replaces it.
 */
export function signWithoutBody(
  http: { url: string; method: string; headers: { set(name: string, value: string): void } },
  calls: SubgraphCalls,
  stated: { requestId: string; principal: string; clientIp: string },
): void {
  const headers = signatureHeaders(calls.key, {
    method: http.method,
    path: pathOf(http.url),
    timestamp: nowSeconds(),
    ...stated,
    contentSha256: UNSIGNED_PAYLOAD,
  });
  for (const [name, value] of Object.entries(headers)) http.headers.set(name, value);
}

function signed(init: FetcherRequestInit | undefined, url: string, calls: SubgraphCalls) {
  const headers = init?.headers ?? {};
  return {
    ...headers,
    ...signatureHeaders(calls.key, {
      method: init?.method ?? 'GET',
      path: pathOf(url),
      timestamp: nowSeconds(),
      requestId: headers[REQUEST_ID_HEADER] ?? '',
      principal: headers[PRINCIPAL_HEADER] ?? '',
      clientIp: headers[CLIENT_IP_HEADER] ?? '',
      contentSha256: sha256Hex(init?.body ?? ''),
    }),
  };
}

/**
 * Wraps a subgraph fetcher that answers settled responses (subgraphFetcher): signs each
 * call over its body, and gives up after `calls.timeoutMs` (headers and body both: a
 * subgraph that answers headers and then stalls is as stuck as one that never answers).
 * Failures become SERVICE_UNAVAILABLE; the cause, with the subgraph's URL, goes to the
 * log only.
 */
export function guardFetcher(fetcher: Fetcher, calls: SubgraphCalls, subgraph: string): Fetcher {
  return async (url, init) => {
    // Aborted only when the time is up: an abort builds an error with a stack, which on
    // every call was a measurable share of the gateway's CPU.
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new AppError('SERVICE_UNAVAILABLE', `A service did not answer within ${calls.timeoutMs} ms`));
      }, calls.timeoutMs);
    });
    try {
      const call = fetcher(url, { ...init, headers: signed(init, url, calls), signal: controller.signal });
      return await Promise.race([call, timedOut]);
    } catch (error) {
      calls.logger.error({ err: error, subgraph, url }, 'subgraph call failed');
      if (error instanceof AppError) throw error;
      throw new AppError('SERVICE_UNAVAILABLE', 'A service is unavailable; try again later', undefined, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  };
}
