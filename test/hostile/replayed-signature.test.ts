import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { uploadOperation } from '../integration/uploads/upload-stack.ts';
import { multipartBody, postMultipart } from '../support/multipart.ts';
import { gatewayHeaders } from '../support/signed-fetch.ts';
import { startGatewayAt } from '../support/stack.ts';
import { createTestUser, type TestUser } from '../support/users.ts';
import { Hostile, type Outcome } from './hostile-support.ts';

// Headers captured on their way from the gateway to the documents subgraph (a proxy in
// between records them) and sent again: with another body, or the same body a second
// time. Each is refused with 401, changes nothing (no row, object, quota or audit line),
// and the original request had done its work once.

interface Captured {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let hostile: Hostile;
let proxy: Server;
let gateway: RunningServer;
let owner: TestUser;
const captured: Captured[] = [];

/** Forwards to `target`, keeping a copy of each request as it went by. */
function capturingProxy(target: string): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      captured.push({ headers: { ...req.headers }, body });
      const forwarded = request(target, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.destroy());
      forwarded.end(body);
    });
  });
}

beforeAll(async () => {
  hostile = await Hostile.start('hostile-replay');
  owner = await createTestUser(hostile.stack.documents.admin);
  proxy = capturingProxy(hostile.stack.subgraphUrls.documents);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
  gateway = await startGatewayAt({ ...hostile.stack.subgraphUrls, documents: proxyUrl });
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  await hostile?.close();
});

const documentsUrl = () => hostile.stack.subgraphUrls.documents;

/** Sends `body` to the documents subgraph with captured headers (content type and length its own). */
async function replay(headers: IncomingHttpHeaders, body: Buffer | string, contentType?: string) {
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      typeof value === 'string' &&
      !['host', 'content-length', 'connection', 'transfer-encoding'].includes(name)
    )
      sent[name] = value;
  }
  if (contentType) sent['content-type'] = contentType;
  const response = await fetch(documentsUrl(), { method: 'POST', headers: sent, body });
  const text = await response.text();
  const outcome: Outcome = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: JSON.parse(text) as Outcome['body'],
    text,
  };
  return { outcome, challenge: response.headers.get('www-authenticate') };
}

async function bodyOf(request: Parameters<typeof multipartBody>[0]) {
  const { body, contentType } = multipartBody(request);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return { body: Buffer.concat(chunks), contentType };
}

/** Uploads through the capturing gateway; answers the new document's id and what went to the subgraph. */
async function capturedUpload() {
  captured.length = 0;
  const result = await postMultipart(
    `${gateway.url}/graphql`,
    {
      ...uploadOperation(),
      files: [{ field: '0', filename: 'once.txt', content: `once ${randomUUID()}\n` }],
    },
    { headers: owner.headers },
  );
  expect(result.body.errors).toBeUndefined();
  const id = (result.body.data as { uploadDocument: { document: { id: string } } }).uploadDocument.document
    .id;
  const call = captured.find((c) => c.headers['content-type']?.startsWith('multipart/form-data'));
  if (!call) throw new Error('the upload did not go through the proxy');
  return { id, call };
}

const documentExists = async (id: string) =>
  (await hostile.stack.documents.admin.query('select 1 from documents where id = $1', [id])).rowCount === 1;

function expectRefused(reply: { outcome: Outcome; challenge: string | null }, reason: string) {
  expect(reply.outcome.status).toBe(401);
  expect(reply.challenge).toBe(`DocuVault-HMAC-SHA256 error="${reason}"`);
  expect(reply.outcome.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
}

describe('a replayed upload signature', () => {
  it('is refused with another body (a delete), and the document stays', async () => {
    const { id, call } = await capturedUpload();
    const deletion = {
      operations: { query: 'mutation($id: ID!) { deleteDocument(id: $id) }', variables: { id } },
      map: {},
      files: [],
    };
    const asMultipart = await bodyOf(deletion);
    const multipart = await hostile.leavesNothing(async () => {
      const reply = await replay(call.headers, asMultipart.body, asMultipart.contentType);
      expectRefused(reply, 'replayed');
      return reply.outcome;
    });
    expect(multipart.status).toBe(401);
    const asJson = JSON.stringify(deletion.operations);
    await hostile.leavesNothing(async () => {
      const reply = await replay(call.headers, asJson, 'application/json');
      expect(reply.outcome.status).toBe(401);
      return reply.outcome;
    });
    expect(await documentExists(id)).toBe(true);
  });

  it('is refused when sent again with the same body, and nothing is stored twice', async () => {
    const { call } = await capturedUpload();
    await hostile.leavesNothing(
      async () => {
        const reply = await replay(call.headers, call.body);
        expectRefused(reply, 'replayed');
        return reply.outcome;
      },
      { uploads: true },
    );
  });

  it('covers the operation: signed fields with another operation under a fresh call id are refused before any file is read', async () => {
    const { id } = await capturedUpload();
    const signedFor = uploadOperation();
    const headers = gatewayHeaders(documentsUrl(), 'POST', {
      operations: JSON.stringify(signedFor.operations),
      map: JSON.stringify(signedFor.map),
    });
    const swapped = await bodyOf({
      operations: { query: 'mutation($id: ID!) { deleteDocument(id: $id) }', variables: { id } },
      map: {},
      files: [],
    });
    await hostile.leavesNothing(async () => {
      const reply = await replay(
        { ...headers, 'apollo-require-preflight': 'true' },
        swapped.body,
        swapped.contentType,
      );
      expectRefused(reply, 'invalid');
      return reply.outcome;
    });
    expect(await documentExists(id)).toBe(true);
  });
});

describe('a replayed JSON signature', () => {
  it('is refused with the same body and with another, and the mutation ran once', async () => {
    captured.length = 0;
    const name = `topic ${randomUUID()}`;
    const created = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...owner.headers },
      body: JSON.stringify({ query: `mutation { createTopic(input: { name: "${name}" }) { id } }` }),
    });
    expect(((await created.json()) as Outcome['body']).errors).toBeUndefined();
    const call = captured.find((c) => c.body.toString('utf8').includes('createTopic'));
    if (!call) throw new Error('the mutation did not go through the proxy');
    const topics = async () =>
      (await hostile.stack.documents.admin.query('select 1 from topics where name = $1', [name])).rowCount;
    await hostile.leavesNothing(async () => {
      const reply = await replay(call.headers, call.body);
      expectRefused(reply, 'replayed');
      return reply.outcome;
    });
    const other = JSON.stringify({
      query: `mutation { createTopic(input: { name: "${name} again" }) { id } }`,
    });
    await hostile.leavesNothing(async () => {
      const reply = await replay(call.headers, other);
      expect(reply.outcome.status).toBe(401);
      return reply.outcome;
    });
    expect(await topics()).toBe(1);
  });
});
