import type { Readable } from 'node:stream';
import sax from 'sax';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import {
  compressionRatioTooHigh,
  corruptDocx,
  UnreadableDocumentError,
  unzippedTooLarge,
} from './extraction.errors.ts';
import type { TextSink } from './text-sink.ts';

export interface ZipLimits {
  /** Bytes one entry may unpack to. */
  maxUnzippedBytes: number;
  /** Unpacked-to-packed ratio an entry may reach once past RATIO_GRACE_BYTES. */
  maxRatio: number;
}

/** Small parts compress well without being bombs: the ratio is judged past this (as Apache POI does). */
export const RATIO_GRACE_BYTES = 1024 * 1024;
/** A Word file has tens of parts; a directory of more is not a document. */
const MAX_ENTRIES = 10_000;
/** `_rels/.rels` names the main part in a few hundred bytes. */
const RELS_LIMIT_BYTES = 1024 * 1024;
/** Text handed to the sink in batches: millions of tiny runs must not become millions of parts. */
const FLUSH_CHARS = 64 * 1024;
const OFFICE_DOCUMENT = /\/officeDocument$/;

const damaged = (error: unknown) =>
  error instanceof UnreadableDocumentError
    ? error
    : corruptDocx((error as Error | undefined)?.message ?? String(error), error);

async function listEntries(zip: ZipFile): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  if (zip.entryCount > MAX_ENTRIES) throw corruptDocx(`${zip.entryCount} zip entries`, undefined);
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.once('end', resolve);
    zip.once('error', reject);
    zip.readEntry();
  });
  return entries;
}

/**
 * An entry's bytes as they unpack, refused as soon as they pass the size or ratio cap: the
 * sizes the zip declares are checked before anything is inflated, and the bytes actually
 * produced are counted too, since a zip can lie about them.
 */
async function* unpack(zip: ZipFile, entry: Entry, limits: ZipLimits): AsyncGenerator<Buffer> {
  const name = entry.fileName;
  const byRatio = Math.max(RATIO_GRACE_BYTES, entry.compressedSize * limits.maxRatio);
  const check = (bytes: number) => {
    if (bytes > limits.maxUnzippedBytes) throw unzippedTooLarge(name, limits.maxUnzippedBytes);
    if (bytes > byRatio) throw compressionRatioTooHigh(name, limits.maxRatio);
  };
  check(entry.uncompressedSize);
  const stream: Readable = await zip.openReadStreamPromise(entry);
  let produced = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      produced += chunk.length;
      check(produced);
      yield chunk;
    }
  } finally {
    stream.destroy();
  }
}

async function readSmallPart(zip: ZipFile, entry: Entry, limits: ZipLimits): Promise<string> {
  const chunks: Buffer[] = [];
  const capped = { ...limits, maxUnzippedBytes: Math.min(limits.maxUnzippedBytes, RELS_LIMIT_BYTES) };
  for await (const chunk of unpack(zip, entry, capped)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The main part named by the package's relationships (almost always word/document.xml). */
async function mainPart(zip: ZipFile, entries: Map<string, Entry>, limits: ZipLimits): Promise<Entry> {
  const rels = entries.get('_rels/.rels');
  let target = 'word/document.xml';
  if (rels) {
    const parser = sax.parser(true);
    parser.onopentag = (tag) => {
      const type = tag.attributes['Type'];
      const value = tag.attributes['Target'];
      if (typeof type === 'string' && OFFICE_DOCUMENT.test(type) && typeof value === 'string')
        target = value.replace(/^\//, '');
    };
    parser.write(await readSmallPart(zip, rels, limits)).close();
  }
  const entry = entries.get(target);
  if (!entry) throw corruptDocx(`no ${target} in it`, undefined);
  return entry;
}

/**
 * Collects the text of WordprocessingML as it streams by: runs' text, tabs and breaks,
 * a blank line after each paragraph (as mammoth did). The parser never expands entities
 * declared in a DTD, and buffers at most 64 KB of any text or name.
 */
function wordTextCollector(sink: TextSink) {
  const parser = sax.parser(true, { trim: false, normalize: false });
  let inText = false;
  let inTabStops = 0;
  // mc:AlternateContent holds one content twice (e.g. a text box as DrawingML and as VML):
  // read its mc:Fallback only, as mammoth did.
  let inChoice = 0;
  let pending = '';
  const flush = () => {
    if (pending) sink.append(pending);
    pending = '';
  };
  const add = (text: string) => {
    pending += text;
    if (pending.length >= FLUSH_CHARS) flush();
  };
  const local = (name: string) => name.slice(name.indexOf(':') + 1);
  parser.onopentag = (tag) => {
    const name = local(tag.name);
    if (name === 'Choice') inChoice++;
    if (inChoice > 0) return;
    if (name === 't') inText = true;
    else if (name === 'tabs') inTabStops++;
    else if (name === 'tab' && inTabStops === 0) add('\t');
    else if (name === 'br' || name === 'cr') add('\n');
  };
  parser.onclosetag = (tagName) => {
    const name = local(tagName);
    if (name === 'Choice') inChoice--;
    if (inChoice > 0) return;
    if (name === 't') inText = false;
    else if (name === 'tabs') inTabStops--;
    else if (name === 'p') add('\n\n');
  };
  parser.ontext = (text) => {
    if (inText && inChoice === 0) add(text);
  };
  parser.oncdata = parser.ontext;
  return {
    write(text: string) {
      parser.write(text);
    },
    end() {
      parser.close();
      flush();
    },
    flush,
  };
}

/**
 * The text of a .docx (paragraphs separated by blank lines), streamed: the main part is
 * inflated chunk by chunk under `limits`, parsed as it arrives and dropped, so memory does
 * not grow with the document; reading stops once `sink` is full. A DOCX is a zip whose
 * directory sits at its end, so the caller hands over the whole file.
 */
export async function extractDocxText(bytes: Buffer, sink: TextSink, limits: ZipLimits): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true });
  } catch (error) {
    throw corruptDocx((error as Error).message ?? String(error), error);
  }
  try {
    const entries = await listEntries(zip);
    const main = await mainPart(zip, entries, limits);
    const collector = wordTextCollector(sink);
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of unpack(zip, main, limits)) {
      collector.write(decoder.decode(chunk, { stream: true }));
      collector.flush();
      if (sink.isFull) return;
    }
    collector.write(decoder.decode());
    collector.end();
  } catch (error) {
    throw damaged(error);
  } finally {
    zip.close();
  }
}
