import { randomBytes } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// A browser-style form POST straight to the object store (S3 "POST Object"): the
// policy's fields, then the file, last, as field `file`. Streamed with an exact
// Content-Length (S3 takes no chunked POST), so a 50 MB file never sits in memory.

export interface FormFile {
  filename: string;
  contentType: string;
  size: number;
  open(): Readable;
}

export interface FormResult {
  status: number;
  text: string;
}

const CRLF = '\r\n';

export async function postForm(
  url: string,
  fields: readonly { name: string; value: string }[],
  file: FormFile,
): Promise<FormResult> {
  const boundary = `----direct-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    fields
      .map(
        (field) =>
          `--${boundary}${CRLF}Content-Disposition: form-data; name="${field.name}"${CRLF}${CRLF}${field.value}${CRLF}`,
      )
      .join('') +
      `--${boundary}${CRLF}Content-Disposition: form-data; name="file"; filename="${file.filename}"${CRLF}` +
      `Content-Type: ${file.contentType}${CRLF}${CRLF}`,
  );
  const tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`);
  async function* body(): AsyncGenerator<Buffer> {
    yield head;
    for await (const chunk of file.open()) yield chunk as Buffer;
    yield tail;
  }
  const client = request(url, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + file.size + tail.length),
    },
  });
  const responded = new Promise<IncomingMessage>((resolve, reject) => {
    client.once('response', resolve);
    client.once('error', reject);
  });
  // The store may refuse (and stop reading) before the body is through.
  pipeline(Readable.from(body(), { objectMode: false }), client).catch(() => undefined);
  const response = await responded;
  let text = '';
  for await (const chunk of response) text += chunk;
  return { status: response.statusCode ?? 0, text };
}

/** A small file from bytes in memory. */
export const bytesFile = (content: Buffer, filename: string, contentType: string): FormFile => ({
  filename,
  contentType,
  size: content.length,
  open: () => Readable.from([content]),
});
