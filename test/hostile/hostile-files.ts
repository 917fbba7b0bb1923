import { once } from 'node:events';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { serialise } from '../fixtures/pdf.ts';

// Files built to hurt a text extractor, made small in the test itself: zip entries are
// deflated from a generator (never held unpacked) and the long PDF shares one page.

interface DeflatedEntry {
  name: string;
  compressed: Buffer;
  size: number;
  crc: number;
}

async function deflate(name: string, chunks: Iterable<Buffer>): Promise<DeflatedEntry> {
  const deflater = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflater.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(deflater, 'end');
  let crc = 0;
  let size = 0;
  for (const chunk of chunks) {
    crc = crc32(chunk, crc);
    size += chunk.length;
    if (!deflater.write(chunk)) await once(deflater, 'drain');
  }
  deflater.end();
  await ended;
  return { name, compressed: Buffer.concat(out), size, crc };
}

/** A zip of deflated entries; `understateSizeBy` makes the last one lie about its size. */
function zipDeflated(entries: readonly DeflatedEntry[], understateSizeBy = 0): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [index, original] of entries.entries()) {
    const lie = index === entries.length - 1 ? understateSizeBy : 0;
    const entry = { ...original, size: original.size - lie };
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.compressed.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(entry.crc, 16);
    central.writeUInt32LE(entry.compressed.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.compressed);
    centrals.push(central, name);
    offset += local.length + name.length + entry.compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
const RELS = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;
const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>';
const TAIL = '</w:body></w:document>';

/** A .docx whose word/document.xml body (inside w:body) is deflated from `body`'s chunks. */
export async function deflatedDocx(
  body: () => Iterable<Buffer>,
  options: { understateSizeBy?: number } = {},
): Promise<Buffer> {
  const document = function* () {
    yield Buffer.from(HEAD);
    yield* body();
    yield Buffer.from(TAIL);
  };
  return zipDeflated(
    [
      await deflate('[Content_Types].xml', [Buffer.from(CONTENT_TYPES)]),
      await deflate('_rels/.rels', [Buffer.from(RELS)]),
      await deflate('word/document.xml', document()),
    ],
    options.understateSizeBy,
  );
}

/** One paragraph of `megabytes` MB of one letter: a deflate ratio near 1000 to 1. */
export function ratioBombDocx(megabytes: number): Promise<Buffer> {
  const block = Buffer.alloc(1024 * 1024, 'a');
  return deflatedDocx(function* () {
    yield Buffer.from('<w:p><w:r><w:t>');
    for (let i = 0; i < megabytes; i++) yield block;
    yield Buffer.from('</w:t></w:r></w:p>');
  });
}

/** `count` short paragraphs (the issue's bomb: 0.9 MB holding ~6 million of them). */
export function paragraphBombDocx(count: number): Promise<Buffer> {
  const words = ['Lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit'];
  const perChunk = 10_000;
  return deflatedDocx(function* () {
    for (let start = 0; start < count; start += perChunk) {
      let xml = '';
      for (let i = start; i < Math.min(count, start + perChunk); i++)
        xml += `<w:p><w:r><w:t>${words[i % words.length]} ${i % 97}</w:t></w:r></w:p>`;
      yield Buffer.from(xml);
    }
  });
}

/**
 * A PDF of `pages` pages in a few MB: the page tree has intermediate nodes of 1,000 kids,
 * all pointing at one page object, with one short text line or (`blank`) none, so that a
 * reader never fills its text cap and turns every page.
 */
export function manyPagesPdf(pages: number, options: { blank?: boolean } = {}): Buffer {
  const fanOut = 1_000;
  const nodes = Math.ceil(pages / fanOut);
  const firstNode = 3;
  const leaf = firstNode + nodes;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${Array.from({ length: nodes }, (_, i) => `${firstNode + i} 0 R`).join(' ')}] /Count ${pages} >>`,
  ];
  for (let i = 0; i < nodes; i++) {
    const kids = Math.min(fanOut, pages - i * fanOut);
    objects.push(`<< /Type /Pages /Parent 2 0 R /Kids [${`${leaf} 0 R `.repeat(kids)}] /Count ${kids} >>`);
  }
  const content = options.blank ? '' : 'BT /F1 11 Tf 56 760 Td (The same page again.) Tj ET';
  objects.push(
    `<< /Type /Page /Parent ${firstNode} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${leaf + 2} 0 R >> >> /Contents ${leaf + 1} 0 R >>`,
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  );
  return serialise(objects);
}
