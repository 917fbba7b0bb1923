import type { Readable } from 'node:stream';
import type { TextSink } from './text-sink.ts';

export type Charset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * The charset of a text file from its bytes: a byte-order mark decides (UTF-8, UTF-16 LE or
 * BE); without one, valid UTF-8 is UTF-8 and anything else is read as Latin-1 (as
 * windows-1252, its superset that browsers also use for "latin1"), which never fails.
 */
export function detectCharset(bytes: Uint8Array): { charset: Charset; bomLength: number } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { charset: 'utf-8', bomLength: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { charset: 'utf-16le', bomLength: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { charset: 'utf-16be', bomLength: 2 };
  try {
    // stream: a character cut at the end of a partial read is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return { charset: 'utf-8', bomLength: 0 };
  } catch {
    return { charset: 'windows-1252', bomLength: 0 };
  }
}

export function decodeText(bytes: Uint8Array): string {
  const { charset, bomLength } = detectCharset(bytes);
  // stream: true drops a character the read limit cut in half instead of emitting U+FFFD.
  return new TextDecoder(charset).decode(bytes.subarray(bomLength), { stream: true });
}

/**
 * Reads a text object from the bucket, but only as many bytes as can matter: a UTF-16
 * file needs at most two bytes per UTF-8 byte of the limit, other charsets fewer. The
 * rest of the stream is never downloaded.
 */
export async function extractPlainText(body: Readable, sink: TextSink): Promise<void> {
  const maxBytes = sink.limitBytes * 2 + 4;
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= maxBytes) break;
  }
  body.destroy();
  sink.append(decodeText(Buffer.concat(chunks, length).subarray(0, maxBytes)));
}
