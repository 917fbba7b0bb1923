import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { AppError } from '@docuvault/shared/errors/index';
import type { IncomingUploads } from './incoming-uploads.ts';
import { missingPart } from './upload-errors.ts';

/** What one subgraph fetch forwards: the files it uses, under the paths of its own variables. */
export interface HopPlan {
  readonly uploads: IncomingUploads;
  /** key → paths in the fetch's operation (`variables.file`). */
  readonly map: ReadonlyMap<string, readonly string[]>;
}

/** The `map` field a hop sends, exactly as its signature covers it. */
export const hopMapJson = (plan: HopPlan): string => JSON.stringify(Object.fromEntries(plan.map));

/** A subgraph answer is a small JSON document; more than this is not one. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const CRLF = '\r\n';

/** A quoted-string parameter value: quotes and backslashes escaped, no line breaks. */
const quoted = (value: string) => `"${value.replace(/[\r\n]/g, ' ').replace(/["\\]/g, '\\$&')}"`;

/**
 * The multipart body of one fetch, generated as it is sent: the two JSON fields, then
 * each file as it arrives from the client. Nothing is buffered beyond a stream chunk.
 * The closing delimiter waits until the client's whole body is read and found sound: a
 * subgraph keeps nothing of a body that never ends, so a request refused at its last
 * byte (a part the map names never came, one it does not name did) leaves nothing.
 */
async function* multipartBody(
  boundary: string,
  fields: { operations: string; map: string },
  plan: HopPlan,
  signal: AbortSignal,
) {
  const field = (name: string, value: string) =>
    `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(name)}${CRLF}` +
    `Content-Type: application/json${CRLF}${CRLF}${value}${CRLF}`;
  yield field('operations', fields.operations);
  yield field('map', fields.map);
  const remaining = new Set(plan.map.keys());
  while (remaining.size > 0) {
    const part = await plan.uploads.next(remaining, signal);
    // Dropped unread for want of a reader (see IncomingUploads.skipUnclaimed).
    if (!part) throw missingPart([...remaining]);
    remaining.delete(part.key);
    yield (
      `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(part.key)}; filename=${quoted(part.filename)}${CRLF}` +
      `Content-Type: ${part.mimeType.replace(/[\r\n]/g, '')}${CRLF}${CRLF}`
    );
    // A fetch that gives up must not stay parked on a client that sends nothing.
    const stopReading = () => part.stream.destroy();
    signal.addEventListener('abort', stopReading, { once: true });
    try {
      for await (const chunk of part.stream) yield chunk as Buffer;
    } finally {
      signal.removeEventListener('abort', stopReading);
    }
    yield CRLF;
  }
  await plan.uploads.complete(signal);
  yield `--${boundary}--${CRLF}`;
}

async function readResponse(response: IncomingMessage): Promise<FetcherResponse> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response) {
    length += (chunk as Buffer).length;
    if (length > MAX_RESPONSE_BYTES)
      throw new Error(`subgraph response larger than ${MAX_RESPONSE_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value])
      headers.append(name, item);
  }
  return new Response(Buffer.concat(chunks, length), {
    status: response.statusCode ?? 502,
    statusText: response.statusMessage ?? '',
    headers,
  }) as FetcherResponse;
}

/**
 * Sends one subgraph fetch as a GraphQL multipart request over node:http, the body
 * piped with stream.pipeline so the gateway's memory stays flat whatever the file's
 * size (fetch with a streamed body or FormData/Blob was measured to grow by the file
 * size). `fields.operations` is the JSON the data source would have sent, files nulled;
 * `headers` carry the signature over both fields.
 */
export async function sendMultipartHop(
  url: string,
  headers: Record<string, string>,
  fields: { operations: string; map: string },
  plan: HopPlan,
  idleTimeoutMs: number,
): Promise<FetcherResponse> {
  const boundary = `----docuvault-${randomBytes(16).toString('hex')}`;
  const target = new URL(url);
  const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      // The subgraph applies Apollo's CSRF rule to multipart requests as well.
      'apollo-require-preflight': 'true',
    },
  });
  // No overall limit (a 1 GB upload takes long), but a subgraph that goes
  // silent, while receiving or before answering, is given up on.
  request.setTimeout(idleTimeoutMs, () =>
    request.destroy(
      new AppError('SERVICE_UNAVAILABLE', 'the documents service stopped answering the upload'),
    ),
  );
  const abort = new AbortController();
  // The client left (or the request failed) before the subgraph answered: hang up on the
  // subgraph too, so it aborts the S3 write and records nothing for a client that is gone.
  let settled = false;
  plan.uploads.onDispose(() => {
    if (!settled) request.destroy(new AppError('BAD_USER_INPUT', 'The upload was interrupted'));
  });
  const responded = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  const body = Readable.from(multipartBody(boundary, fields, plan, abort.signal), { objectMode: false });
  const sent = pipeline(body, request);
  // Both are awaited below, but one may fail while we wait on the other.
  sent.catch(() => undefined);
  responded.catch(() => undefined);
  try {
    const response = await Promise.race([responded, sent.then(() => responded)]);
    const answer = await readResponse(response);
    // The subgraph answered before the body was through (it refused the file early): stop sending.
    if (!request.writableFinished) request.destroy();
    return answer;
  } catch (error) {
    abort.abort(error);
    request.destroy();
    // A failed body (file too large, client gone) is the cause to report, not the socket error it led to.
    const bodyError = await sent.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    throw bodyError instanceof AppError ? bodyError : error;
  } finally {
    settled = true;
    abort.abort(new Error('subgraph request finished'));
  }
}
