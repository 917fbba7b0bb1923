import type { ClientRequest } from 'node:http';
import { Readable } from 'node:stream';
import { deterministicText, postMultipart, type PostResult } from '../../support/multipart.ts';
import type { FaultStack } from './fault-stack.ts';

// What a client of the gateway does during a fault, timed.

const UPLOAD = `mutation Upload($file: Upload!) {
  uploadDocument(file: $file) { duplicate document { id status sizeBytes } }
}`;

export interface TimedUpload {
  readonly ms: number;
  /** The answer, or why there was none (the connection broke). */
  readonly result: PostResult | undefined;
  readonly error: unknown;
}

export async function upload(
  stack: FaultStack,
  file: { filename: string; content: Buffer | string | (() => Readable); contentType?: string },
  onRequest?: (request: ClientRequest) => void,
): Promise<TimedUpload> {
  const started = performance.now();
  try {
    const result = await postMultipart(
      stack.gatewayUrl,
      {
        operations: { query: UPLOAD, variables: { file: null } },
        map: { '0': ['variables.file'] },
        files: [
          {
            field: '0',
            filename: file.filename,
            contentType: file.contentType ?? 'text/plain',
            content: file.content,
          },
        ],
      },
      { headers: stack.user.headers, ...(onRequest ? { onRequest } : {}) },
    );
    return { ms: performance.now() - started, result, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, result: undefined, error };
  }
}

/** The uploaded document's id, or undefined when the upload did not succeed. */
export function uploadedId(timed: TimedUpload): string | undefined {
  const data = timed.result?.body.data as { uploadDocument?: { document?: { id?: string } } } | undefined;
  return data?.uploadDocument?.document?.id;
}

/** A JSON query through the gateway as the stack's user, timed. */
export async function query(
  stack: FaultStack,
  text: string,
  variables: Record<string, unknown> = {},
): Promise<{ ms: number; status: number; body: { data?: unknown; errors?: GraphQLError[] } }> {
  const started = performance.now();
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stack.user.headers },
    body: JSON.stringify({ query: text, variables }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await response.json()) as { data?: unknown; errors?: GraphQLError[] };
  return { ms: performance.now() - started, status: response.status, body };
}

export interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

/** Polls `check` until it holds, or fails after `ms` with what it last saw. */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A rule topic of the stack's user: documents containing `pattern` get it. */
export async function createRuleTopic(stack: FaultStack, name: string, pattern: string): Promise<string> {
  const answer = await query(
    stack,
    'mutation ($input: CreateTopicInput!) { createTopic(input: $input) { id } }',
    { input: { name, matchMode: 'ANY', pattern } },
  );
  const id = (answer.body.data as { createTopic?: { id: string } } | undefined)?.createTopic?.id;
  if (!id) throw new Error(`createTopic failed: ${JSON.stringify(answer.body.errors)}`);
  return id;
}

/** How many of the stack's documents are in each status. */
export async function statuses(stack: FaultStack): Promise<Record<string, number>> {
  const { rows } = await stack.admin.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from documents group by status',
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/** Topic assignments per document: exactly one each when every document was classified once. */
export async function topicRowsPerDocument(stack: FaultStack): Promise<number[]> {
  const { rows } = await stack.admin.query<{ n: number }>(
    `select count(t.document_id)::int as n from documents d
       left join document_topics t on t.document_id = d.id group by d.id`,
  );
  return rows.map((row) => row.n);
}

/** `first` bytes, then waits for `go`, then `rest` bytes: a client mid-file when a fault strikes. */
export function pausedText(first: number, rest: number, go: Promise<void>): () => Readable {
  async function* parts(): AsyncGenerator<Buffer> {
    for await (const chunk of deterministicText(first, 'first')()) yield chunk as Buffer;
    await go;
    for await (const chunk of deterministicText(rest, 'rest')()) yield chunk as Buffer;
  }
  return () => Readable.from(parts(), { objectMode: false });
}
