import { randomUUID } from 'node:crypto';
import type { Fetcher } from '@apollo/utils.fetcher';
import { AppError } from '@docuvault/shared/errors/index';
import { CLIENT_IP_HEADER, PRINCIPAL_HEADER } from '@docuvault/shared/auth/principal';
import { REQUEST_ID_HEADER } from '@docuvault/shared/http/request-id';
import {
  multipartFieldsSha256,
  nowSeconds,
  sha256Hex,
  signatureHeaders,
} from '@docuvault/shared/http/subgraph-signature';
import type { SubgraphCalls } from './index.ts';

/** Each subgraph URL's path, parsed once (a handful of URLs, called all the time); bounded all the same. */
const paths = new Map<string, string>();
const pathOf = (url: string): string => {
  let path = paths.get(url);
  if (path === undefined) {
    const parsed = new URL(url);
    path = `${parsed.pathname}${parsed.search}`;
    if (paths.size >= 64) paths.clear();
    paths.set(url, path);
  }
  return path;
};

/**
 * `headers` with the gateway's signature over them, the call and its content hash. Each
 * call gets a fresh call id, which the subgraph accepts once.
 */
function signed(
  headers: Record<string, string>,
  call: { url: string; method: string; contentSha256: string },
  calls: SubgraphCalls,
): Record<string, string> {
  return {
    ...headers,
    ...signatureHeaders(calls.key, {
      method: call.method,
      path: pathOf(call.url),
      timestamp: nowSeconds(),
      callId: randomUUID(),
      requestId: headers[REQUEST_ID_HEADER] ?? '',
      principal: headers[PRINCIPAL_HEADER] ?? '',
      clientIp: headers[CLIENT_IP_HEADER] ?? '',
      contentSha256: call.contentSha256,
    }),
  };
}

/**
 * Signs a multipart upload over its `operations` and `map` fields (the files follow
 * them and are streamed, so they cannot be hashed before sending): what the call
 * authorises is the operation and its variables, and the subgraph checks both before
 * it reads a file. Sent past guardFetcher (upload-data-source.ts), so signed here.
 */
export function signMultipart(
  headers: Record<string, string>,
  call: { url: string; method: string; operations: string; map: string },
  calls: SubgraphCalls,
): Record<string, string> {
  return signed(
    headers,
    { url: call.url, method: call.method, contentSha256: multipartFieldsSha256(call.operations, call.map) },
    calls,
  );
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
      const headers = signed(
        init?.headers ?? {},
        { url, method: init?.method ?? 'GET', contentSha256: sha256Hex(init?.body ?? '') },
        calls,
      );
      const call = fetcher(url, { ...init, headers, signal: controller.signal });
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
