import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from '@jest/globals';
import { nowhereUrl, startGatewayAt } from './gateway.ts';
import { startStorageSubgraph } from './storage.ts';
import { startUploadStack, type UploadStack } from './uploads.ts';

// The gateway with the documents subgraph (the uploads stack: its database, bucket and
// queue) and the storage subgraph on the same ones, in this process. Every GraphQL
// request reaching storage passes a recording proxy first, so tests can count them.

export interface StorageRequest {
  /** `_entities`, or the query text of any other operation. */
  operation: string;
  /** How many entities an `_entities` request asks for. */
  representations: number;
}

export interface GatewayStorageStack {
  readonly documents: UploadStack;
  /** What storage's /graphql received, in order; tests may empty it. */
  readonly storageRequests: StorageRequest[];
  /** POSTs one operation to the gateway and expects no errors. */
  viaGateway<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

function recordingProxy(target: string, seen: StorageRequest[]): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/graphql' && req.method === 'POST') {
        const { query, variables } = JSON.parse(body.toString('utf8')) as {
          query: string;
          variables?: { representations?: unknown[] };
        };
        seen.push({
          operation: query.includes('_entities') ? '_entities' : query,
          representations: variables?.representations?.length ?? 0,
        });
      }
      const forwarded = request(
        `${target}${req.url}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => res.destroy());
      forwarded.end(body);
    });
  });
}

/** The gateway over the documents (uploads) stack and storage; the ops subgraph is absent. */
export async function startGatewayStorageStack(label: string): Promise<GatewayStorageStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const documents = await startUploadStack(label);
    closers.push(() => documents.close());
    const { server: storage } = await startStorageSubgraph(documents);
    closers.push(() => storage.close());
    const storageRequests: StorageRequest[] = [];
    const proxy = recordingProxy(storage.url, storageRequests);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => proxy.close(resolve)));
    const gateway = await startGatewayAt({
      documents: documents.graphqlUrl,
      storage: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`,
      ops: await nowhereUrl(),
    });
    closers.push(() => gateway.close());
    return {
      documents,
      storageRequests,
      async viaGateway<T>(query: string, variables: Record<string, unknown> = {}) {
        const response = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await response.json()) as { data?: T; errors?: unknown[] };
        expect(body.errors).toBeUndefined();
        return body.data!;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
