import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Fetcher, FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';

// The gateway's HTTP client for subgraph calls. Apollo's default (make-fetch-happen:
// caching, retries, proxies, redirects) costs about 0.3 ms of CPU per call, more than
// signing and limits together, and subgraph calls need none of it: small JSON POSTs to
// known hosts. So: node:http on keep-alive agents, the answer read to its end (a settled
// response no longer depends on its connection), and nothing else. Timeouts stay with
// the caller (guardFetcher), through `signal`.

const agents = {
  'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
  'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
};

/**
 * Headers over a plain Map (names lower case), answering what WHATWG Headers would.
 * A subgraph response's are built over Node's parsed ones (names already lower case,
 * repeated headers already joined): building a Headers object per response (each name
 * and value validated and appended) was about 1 % of the gateway's CPU per request, and
 * Apollo reads one or two headers of it. A subgraph call's own headers are built in one
 * too (data-source.ts), instead of node-fetch's Headers.
 */
export class PlainHeaders implements FetcherHeaders {
  private readonly values_ = new Map<string, string>();

  constructor(raw: IncomingHttpHeaders = {}) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.values_.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.values_.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.values_.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.values_.set(name.toLowerCase(), value);
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const known = this.values_.get(key);
    this.values_.set(key, known === undefined ? value : `${known}, ${value}`);
  }
  delete(name: string): void {
    this.values_.delete(name.toLowerCase());
  }
  /** In name order, as Headers iterates. */
  *entries(): IterableIterator<[string, string]> {
    yield* [...this.values_].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

interface Target {
  send: typeof httpRequest;
  agent: HttpAgent;
  options: { protocol: string; hostname: string; port: string; path: string; auth?: string };
}

/**
 * Each subgraph URL parsed once: the gateway calls the same few URLs all the time, and
 * `request(url)` with a string would parse it on every call. Bounded, should a data
 * source ever be given many URLs.
 */
const targets = new Map<string, Target>();
const MAX_TARGETS = 64;

function targetOf(url: string): Target {
  const known = targets.get(url);
  if (known) return known;
  const parsed = new URL(url);
  const protocol = parsed.protocol;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new Error(`unsupported subgraph URL scheme: ${protocol}`);
  }
  const target: Target = {
    send: protocol === 'https:' ? httpsRequest : httpRequest,
    agent: agents[protocol],
    options: {
      protocol,
      // Without the brackets of an IPv6 literal, as request() wants it.
      hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port,
      path: `${parsed.pathname}${parsed.search}`,
      // As request(url) would take user and password from the URL.
      ...(parsed.username || parsed.password
        ? { auth: `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}` }
        : {}),
    },
  };
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, target);
  return target;
}

/** A response whose body is already read: readable any number of times. */
function settledResponse(url: string, message: IncomingMessage, body: Buffer): FetcherResponse {
  const status = message.statusCode ?? 0;
  const response: FetcherResponse = {
    bodyUsed: false,
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText: message.statusMessage ?? '',
    headers: new PlainHeaders(message.headers),
    arrayBuffer: async () =>
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    text: async () => body.toString('utf8'),
    json: async () => JSON.parse(body.toString('utf8')) as unknown,
    clone: () => response,
  };
  return response;
}

/**
 * Ends `request` when `signal` aborts, as request({ signal }) would (destroyed with an
 * AbortError). Node's own wiring (addAbortSignal) also watches the request's end with
 * end-of-stream listeners, which cost about 1 % of the gateway's CPU per request; one
 * abort listener, removed when the request closes, does the same job.
 */
function abortWith(request: ClientRequest, signal: AbortSignal | undefined): void {
  if (!signal) return;
  const abort = (): void => {
    request.destroy(
      Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
        name: 'AbortError',
        code: 'ABORT_ERR',
      }),
    );
  };
  if (signal.aborted) return abort();
  signal.addEventListener('abort', abort, { once: true });
  request.once('close', () => signal.removeEventListener('abort', abort));
}

export const subgraphFetcher: Fetcher = (url, init = {}) =>
  new Promise((resolve, reject) => {
    let target: Target;
    try {
      target = targetOf(url);
    } catch (error) {
      return reject(error as Error);
    }
    const request = target.send(
      { ...target.options, method: init.method ?? 'GET', headers: init.headers, agent: target.agent },
      (message) => {
        const chunks: Buffer[] = [];
        message.on('data', (chunk: Buffer) => chunks.push(chunk));
        message.on('error', reject);
        message.on('end', () => resolve(settledResponse(url, message, Buffer.concat(chunks))));
      },
    );
    request.on('error', reject);
    abortWith(request, init.signal as AbortSignal | undefined);
    request.end(init.body);
  });
