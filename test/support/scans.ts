import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Scans made in the test, so no binary fixture is committed: text typeset into a PDF
// (Helvetica, skewed a little, sprinkled with noise, optionally turned a quarter or a half),
// rendered by Poppler's pdftoppm as a scanner would, and wrapped back into a PDF as an image
// only, without a text layer. Needs pdftoppm on the PATH (poppler-utils).

const run = promisify(execFile);
const A4 = { width: 595, height: 842 };

export interface TextPage {
  lines: string[];
  /** Degrees the text is turned on the page, as a sheet fed a little askew. */
  skewDegrees?: number;
  /** Dark specks scattered over the page (dust, toner). */
  noise?: number;
  /** The page turned as a whole (a sheet scanned sideways or upside down). */
  rotate?: 0 | 90 | 180 | 270;
  seed?: number;
}

const escapeText = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);

/** A small deterministic generator, so a failing scan can be made again. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function pageContent(page: TextPage): string {
  const next = random(page.seed ?? 7);
  const specks = Array.from({ length: page.noise ?? 0 }, () => {
    const size = 0.4 + next() * 1.2;
    return `${(next() * A4.width).toFixed(1)} ${(next() * A4.height).toFixed(1)} ${size.toFixed(2)} ${size.toFixed(2)} re f`;
  });
  const angle = ((page.skewDegrees ?? 0) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(angle).toFixed(4), Math.sin(angle).toFixed(4)];
  const text = page.lines.map((line, i) => `1 0 0 1 0 ${-i * 26} Tm (${escapeText(line)}) Tj`).join('\n');
  return [
    '0.15 g',
    ...specks,
    `q ${cos} ${sin} ${-Number(sin)} ${cos} 72 ${A4.height - 110} cm`,
    'BT /F1 18 Tf',
    text.replace(/Tm/g, 'Tm'),
    'ET Q',
  ].join('\n');
}

/** Assembles a PDF from objects (1-based, in order), computing the cross-reference table. */
function assemble(objects: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const chunk = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(chunk);
    length += chunk.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    'startxref',
    String(length),
    '%%EOF\n',
  ].join('\n');
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

const stream = (dict: string, data: Buffer) =>
  Buffer.concat([
    Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`),
    data,
    Buffer.from('\nendstream'),
  ]);

/** A page of a built PDF: typeset text (a text layer) or a JPEG scan filling the page. */
export type PdfPage =
  { text: TextPage } | { jpeg: Buffer; width: number; height: number; components: number };

/** A PDF of A4 pages; image pages carry no text layer at all. */
export function buildPdf(pages: PdfPage[]): Buffer {
  // 1 catalog, 2 pages, 3 font, then per page: page, content, (image).
  const objects: (string | Buffer)[] = ['', '', '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
  const kids: number[] = [];
  for (const page of pages) {
    const pageId = objects.length + 1;
    kids.push(pageId);
    if ('text' in page) {
      const rotate = page.text.rotate ? ` /Rotate ${page.text.rotate}` : '';
      objects.push(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${A4.width} ${A4.height}]${rotate} /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageId + 1} 0 R >>`,
        stream('', Buffer.from(pageContent(page.text), 'latin1')),
      );
    } else {
      objects.push(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${A4.width} ${A4.height}] /Resources << /XObject << /Im1 ${pageId + 2} 0 R >> >> /Contents ${pageId + 1} 0 R >>`,
        stream('', Buffer.from(`q ${A4.width} 0 0 ${A4.height} 0 0 cm /Im1 Do Q`)),
        stream(
          `/Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /${page.components === 1 ? 'DeviceGray' : 'DeviceRGB'} /BitsPerComponent 8 /Filter /DCTDecode`,
          page.jpeg,
        ),
      );
    }
  }
  objects[0] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  return assemble(objects);
}

export type RenderFormat = 'png' | 'jpeg' | 'tiff' | 'pgm';

/** Each page of `pdf` as pdftoppm renders it at `dpi`, in grey. */
export async function renderPdf(pdf: Buffer, format: RenderFormat, dpi = 150): Promise<Buffer[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'docuvault-scan-'));
  try {
    await writeFile(path.join(dir, 'in.pdf'), pdf);
    const flag = format === 'pgm' ? [] : [`-${format}`];
    await run('pdftoppm', [
      '-r',
      String(dpi),
      '-gray',
      ...flag,
      path.join(dir, 'in.pdf'),
      path.join(dir, 'p'),
    ]);
    const names = (await readdir(dir)).filter((n) => n.startsWith('p')).sort();
    return Promise.all(names.map((n) => readFile(path.join(dir, n))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Width, height and colour components of a JPEG, from its frame header (pdftoppm -gray still writes YCbCr). */
export function jpegSize(jpeg: Buffer): { width: number; height: number; components: number } {
  for (let at = 2; at < jpeg.length; at += 2 + jpeg.readUInt16BE(at + 2)) {
    const marker = jpeg[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xc2)
      return {
        height: jpeg.readUInt16BE(at + 5),
        width: jpeg.readUInt16BE(at + 7),
        components: jpeg[at + 9]!,
      };
  }
  throw new Error('not a JPEG with a frame header');
}

/** Text pages scanned: rendered to JPEG and wrapped as image-only pages. */
export async function scannedPdf(pages: TextPage[], dpi = 150): Promise<Buffer> {
  const scans = await renderPdf(buildPdf(pages.map((text) => ({ text }))), 'jpeg', dpi);
  return buildPdf(scans.map((jpeg) => ({ jpeg, ...jpegSize(jpeg) })));
}

/** A scanned page as a JPEG photo. */
export async function scannedJpeg(page: TextPage, dpi = 150): Promise<Buffer> {
  return (await renderPdf(buildPdf([{ text: page }]), 'jpeg', dpi))[0]!;
}

/** A scanned page as a PNG. */
export async function scannedPng(page: TextPage, dpi = 150): Promise<Buffer> {
  return (await renderPdf(buildPdf([{ text: page }]), 'png', dpi))[0]!;
}

function parsePgm(pgm: Buffer): { width: number; height: number; pixels: Buffer } {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.toString('latin1', 0, 64));
  if (!header) throw new Error('not a binary PGM');
  const [, width, height] = header.map(Number) as [number, number, number];
  return { width, height, pixels: pgm.subarray(header[0].length) };
}

/**
 * An uncompressed 8-bit grey TIFF with one page per image (little-endian, one strip per
 * page), from PGMs; `pages` of 1×1 pixels make a TIFF with thousands of pages in a few KB.
 */
export function multiPageTiff(pages: { width: number; height: number; pixels: Buffer }[]): Buffer {
  const ENTRY_COUNT = 8;
  const parts: Buffer[] = [Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0])];
  let offset = 8;
  pages.forEach((page, i) => {
    const ifdSize = 2 + ENTRY_COUNT * 12 + 4;
    const dataAt = offset + ifdSize;
    const ifd = Buffer.alloc(ifdSize);
    ifd.writeUInt16LE(ENTRY_COUNT, 0);
    const entries: [number, number, number][] = [
      [256, 4, page.width],
      [257, 4, page.height],
      [258, 3, 8], // bits per sample
      [259, 3, 1], // no compression
      [262, 3, 1], // black is zero
      [273, 4, dataAt], // strip offset
      [278, 4, page.height], // rows per strip
      [279, 4, page.pixels.length], // strip byte count
    ];
    entries.forEach(([tag, type, value], e) => {
      const at = 2 + e * 12;
      ifd.writeUInt16LE(tag, at);
      ifd.writeUInt16LE(type, at + 2);
      ifd.writeUInt32LE(1, at + 4);
      if (type === 3) ifd.writeUInt16LE(value, at + 8);
      else ifd.writeUInt32LE(value, at + 8);
    });
    const next = i === pages.length - 1 ? 0 : dataAt + page.pixels.length;
    ifd.writeUInt32LE(next, 2 + ENTRY_COUNT * 12);
    parts.push(ifd, page.pixels);
    offset = dataAt + page.pixels.length;
  });
  return Buffer.concat(parts);
}

/** Text pages scanned into one multi-page TIFF. */
export async function scannedTiff(pages: TextPage[], dpi = 150): Promise<Buffer> {
  const pgms = await renderPdf(buildPdf(pages.map((text) => ({ text }))), 'pgm', dpi);
  return multiPageTiff(pgms.map(parsePgm));
}

/** A PDF of one blank-but-for-a-square page of `widthPt` × `heightPt` points (no text layer). */
export function hugePagePdf(widthPt: number, heightPt: number): Buffer {
  const content = Buffer.from('0 g 10 10 100 100 re f');
  return assemble([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${widthPt} ${heightPt}] /Contents 4 0 R >>`,
    stream('', content),
  ]);
}
