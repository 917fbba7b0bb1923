import { createHash, randomBytes } from 'node:crypto';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// GraphQL multipart requests written by hand, as a stream: what a client sends, byte for
// byte, with no form-data library in between (so the tests see what the servers parse).

export interface MultipartFile {
  /** The field name, i.e. the key in `map`. */
  field: string;
  filename: string;
  /** Raw Content-Disposition parameters in place of `filename="…"` (e.g. `filename*=UTF-8''…`). */
  disposition?: string;
  contentType?: string;
  content: Buffer | string | (() => Readable);
}

export interface MultipartRequest {
  operations: unknown;
  map: Record<string, string[]>;
  files: MultipartFile[];
  /** Raw field values instead of JSON (for malformed requests). */
  rawOperations?: string;
  rawMap?: string;
}

const CRLF = '\r\n';

async function* bodyParts(boundary: string, req: MultipartRequest): AsyncGenerator<Buffer> {
  const field = (name: string, value: string) =>
    Buffer.from(
      `--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}${value}${CRLF}`,
    );
  yield field('operations', req.rawOperations ?? JSON.stringify(req.operations));
  yield field('map', req.rawMap ?? JSON.stringify(req.map));
  for (const file of req.files) {
    yield Buffer.from(
      `--${boundary}${CRLF}Content-Disposition: form-data; name="${file.field}"; ${file.disposition ?? `filename="${file.filename}"`}${CRLF}` +
        `Content-Type: ${file.contentType ?? 'application/octet-stream'}${CRLF}${CRLF}`,
    );
    const { content } = file;
    if (typeof content === 'function') {
      for await (const chunk of content()) yield chunk as Buffer;
    } else {
      yield Buffer.from(content);
    }
    yield Buffer.from(CRLF);
  }
  yield Buffer.from(`--${boundary}--${CRLF}`);
}

/** The body as a stream and its content type. */
export function multipartBody(req: MultipartRequest): { body: Readable; contentType: string } {
  const boundary = `----test-${randomBytes(12).toString('hex')}`;
  return {
    body: Readable.from(bodyParts(boundary, req), { objectMode: false }),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

export interface PostResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
  text: string;
}

export interface PostOptions {
  headers?: Record<string, string>;
  /** Called with the client request, e.g. to destroy it mid-body. */
  onRequest?: (request: ClientRequest) => void;
}

/** Bytes of the request's body (and head) the client has handed to its socket so far. */
export function bytesSent(request: ClientRequest | undefined): number {
  return request?.socket?.bytesWritten ?? 0;
}

/** POSTs a multipart request with node:http (the body streamed, never held in memory). */
export async function postMultipart(
  url: string,
  req: MultipartRequest,
  options: PostOptions = {},
): Promise<PostResult> {
  const { body, contentType } = multipartBody(req);
  const client = request(url, {
    method: 'POST',
    headers: { 'content-type': contentType, 'apollo-require-preflight': 'true', ...options.headers },
  });
  options.onRequest?.(client);
  const responded = new Promise<IncomingMessage>((resolve, reject) => {
    client.once('response', resolve);
    client.once('error', reject);
  });
  // The server may answer (and stop reading) before the body is through: that is not a failure here.
  pipeline(body, client).catch(() => undefined);
  const response = await responded;
  let text = '';
  for await (const chunk of response) text += chunk;
  let parsed: PostResult['body'] = {};
  try {
    parsed = JSON.parse(text) as PostResult['body'];
  } catch {
    // not JSON: the test looks at `text`
  }
  return { status: response.statusCode ?? 0, headers: response.headers, body: parsed, text };
}

/**
 * `size` bytes of deterministic text (lines of a counter and a hash chain), generated
 * chunk by chunk: a 200 MB file never exists in memory. Text, so the server accepts it.
 */
export function deterministicText(size: number, seed = 'docuvault'): () => Readable {
  return () => {
    let produced = 0;
    let line = 0;
    let state = createHash('sha256').update(seed).digest('hex');
    return new Readable({
      read() {
        if (produced >= size) {
          this.push(null);
          return;
        }
        const lines: string[] = [];
        let length = 0;
        while (length < 64 * 1024) {
          state = createHash('sha256').update(state).digest('hex');
          const text = `${String(line++).padStart(9, '0')} ${state}\n`;
          lines.push(text);
          length += text.length;
        }
        const chunk = Buffer.from(lines.join('')).subarray(0, Math.min(length, size - produced));
        produced += chunk.length;
        this.push(chunk);
      },
    });
  };
}

/** SHA-256 (hex) of a stream, read to the end. */
export async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
        hash.update(chunk);
        callback();
      },
    }),
  );
  return hash.digest('hex');
}

/**
 * `size` bytes of text and then nothing, ever: a client that stops mid-file. For abort
 * tests that must abort at a known point (the test destroys the request).
 */
export function stallingText(size: number, seed = 'stall'): () => Readable {
  async function* stall(): AsyncGenerator<Buffer> {
    for await (const chunk of deterministicText(size, seed)()) yield chunk as Buffer;
    await new Promise(() => undefined);
  }
  return () => Readable.from(stall(), { objectMode: false });
}
