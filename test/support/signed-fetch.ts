import { randomUUID } from 'node:crypto';
import { encodePrincipal, PRINCIPAL_HEADER, type Principal } from '@docuvault/shared/auth/principal';
import { REQUEST_ID_HEADER } from '@docuvault/shared/http/request-id';
import {
  deriveSigningKey,
  multipartFieldsSha256,
  nowSeconds,
  sha256Hex,
  signatureHeaders,
} from '@docuvault/shared/http/subgraph-signature';

/** The SECRET_KEY test configs use (test/support/documents-subgraph.ts, the e2e gateway). */
export const TEST_SECRET_KEY = 'test-secret-key-that-is-long-enough-0123';

export interface SigningOptions {
  secretKey?: string;
  requestId?: string;
  /** Unix seconds; defaults to now (set it to test stale signatures). */
  timestamp?: number;
  /** Who the gateway says the request acts for; unset: no principal header (a guest). */
  principal?: Principal;
  /** The call id the signature covers; unset: a fresh one (each is accepted once). */
  callId?: string;
}

/** What a signature covers: a JSON body, a multipart request's two fields, or a raw content hash. */
export type SignedContent = string | { operations: string; map: string } | { contentSha256: string };

const contentHash = (content: SignedContent): string =>
  typeof content === 'string'
    ? sha256Hex(content)
    : 'contentSha256' in content
      ? content.contentSha256
      : multipartFieldsSha256(content.operations, content.map);

/**
 * The headers the gateway adds to a subgraph request: the request id and a signature
 * over method, path, time, a call id, request id and the content (a JSON body, or the
 * `operations` and `map` fields of a multipart body).
 */
export function gatewayHeaders(
  url: string,
  method: string,
  content: SignedContent,
  options: SigningOptions = {},
): Record<string, string> {
  const requestId = options.requestId ?? `test-${randomUUID()}`;
  const { pathname, search } = new URL(url);
  const principal = options.principal ? encodePrincipal(options.principal) : undefined;
  return {
    [REQUEST_ID_HEADER]: requestId,
    ...(principal ? { [PRINCIPAL_HEADER]: principal } : {}),
    ...signatureHeaders(deriveSigningKey(options.secretKey ?? TEST_SECRET_KEY), {
      method,
      path: `${pathname}${search}`,
      timestamp: options.timestamp ?? nowSeconds(),
      callId: options.callId ?? randomUUID(),
      requestId,
      principal: principal ?? '',
      clientIp: '',
      contentSha256: contentHash(content),
    }),
  };
}

/** fetch, signed as the gateway signs: for tests that call a subgraph directly. */
export function signedFetch(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  options: SigningOptions = {},
): Promise<Response> {
  const method = init.method ?? 'POST';
  return fetch(url, {
    ...init,
    method,
    headers: { ...init.headers, ...gatewayHeaders(url, method, init.body ?? '', options) },
  });
}

/** POSTs one GraphQL operation to a subgraph as the gateway would (JSON, signed). */
export async function signedGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: SigningOptions = {},
): Promise<{ data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await signedFetch(
    url,
    {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    },
    options,
  );
  return (await response.json()) as { data?: T | null; errors?: { message: string }[] };
}
