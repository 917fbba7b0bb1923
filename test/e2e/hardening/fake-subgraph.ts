import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// A real HTTP server standing in for a subgraph: it answers what a test tells it to
// (or never answers), and records what the gateway sent it.

export interface SeenRequest {
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeSubgraph {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export const answerJson =
  (payload: unknown, status = 200): Behaviour =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  };

/** Reads the request and then says nothing, ever. */
export const hang: Behaviour = () => undefined;

/** Sends the status line and headers, then stalls before the body. */
export const stallAfterHeaders: Behaviour = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"data":');
};

export async function startFakeSubgraph(behaviour: Behaviour): Promise<FakeSubgraph> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      behaviour(req, res, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        // A hanging request would keep close() waiting forever.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
}

/** POSTs JSON to the gateway; answers the status, content type and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: GraphQLBody = {};
  try {
    parsed = JSON.parse(text) as GraphQLBody;
  } catch {
    // not JSON: the test looks at `text`
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body: parsed, text };
}

export const codesOf = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.code);
