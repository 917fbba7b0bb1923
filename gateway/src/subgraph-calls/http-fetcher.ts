import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
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

function headersOf(message: IncomingMessage): FetcherHeaders {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers as unknown as FetcherHeaders;
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
    headers: headersOf(message),
    arrayBuffer: async () =>
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    text: async () => body.toString('utf8'),
    json: async () => JSON.parse(body.toString('utf8')) as unknown,
    clone: () => response,
  };
  return response;
}

export const subgraphFetcher: Fetcher = (url, init = {}) =>
  new Promise((resolve, reject) => {
    const { protocol } = new URL(url);
    const send = protocol === 'https:' ? httpsRequest : protocol === 'http:' ? httpRequest : undefined;
    if (!send) return reject(new Error(`unsupported subgraph URL scheme: ${protocol}`));
    const request = send(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: agents[protocol as keyof typeof agents],
        signal: init.signal as AbortSignal | undefined,
      },
      (message) => {
        const chunks: Buffer[] = [];
        message.on('data', (chunk: Buffer) => chunks.push(chunk));
        message.on('error', reject);
        message.on('end', () => resolve(settledResponse(url, message, Buffer.concat(chunks))));
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
