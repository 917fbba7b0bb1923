import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { readImageHeader } from '@docuvault/documents/classification/text/image-header';
import {
  embeddedScan,
  parseImageList,
  type ListedImage,
} from '@docuvault/documents/classification/text/ocr/embedded-image';
import { rotate, toTiff } from '@docuvault/documents/classification/text/ocr/pixels';
import { ocrPdfPages, renderDpi } from '@docuvault/documents/classification/text/ocr/scan-pages';
import { TextSink } from '@docuvault/documents/classification/text/text-sink';
import { PageTally } from '@docuvault/documents/classification/text/ocr/text-source';
import { multiPageTiff } from '../../../devkit/fixtures/scans.ts';
import { jpegBytes, pngBytes, webpBytes } from '../../integration/uploads/fixtures.ts';

// The pure parts of OCR: sizes from headers (checked before any decoder runs), turning
// pages on raw pixels, the rendering resolution, and what a document says about its pages.

describe('image headers', () => {
  it('reads the size of a PNG, a JPEG and a WebP without decoding them', () => {
    expect(readImageHeader(pngBytes(), 'image/png', 10).pages).toEqual([{ width: 1, height: 1 }]);
    expect(readImageHeader(jpegBytes(), 'image/jpeg', 10).pages).toEqual([{ width: 1, height: 1 }]);
    expect(readImageHeader(webpBytes(), 'image/webp', 10).pages).toEqual([{ width: 1, height: 1 }]);
  });

  it('counts the pages of a TIFF, and stops counting past the limit', () => {
    const page = { width: 3, height: 2, pixels: Buffer.alloc(6) };
    expect(readImageHeader(multiPageTiff([page, page]), 'image/tiff', 10).pages).toEqual([
      { width: 3, height: 2 },
      { width: 3, height: 2 },
    ]);
    const many = multiPageTiff(Array.from({ length: 50 }, () => page));
    expect(readImageHeader(many, 'image/tiff', 5).pages).toHaveLength(6);
  });

  it('refuses a TIFF whose page chain loops back on itself as damaged', () => {
    const tiff = multiPageTiff([{ width: 1, height: 1, pixels: Buffer.alloc(1) }]);
    // Point the only page's next-IFD offset at itself.
    tiff.writeUInt32LE(8, 8 + 2 + 8 * 12);
    expect(() => readImageHeader(tiff, 'image/tiff', 10)).toThrow(/TIFF page chain that loops/);
  });

  it('refuses headers that are cut short', () => {
    expect(() => readImageHeader(pngBytes().subarray(0, 20), 'image/png', 10)).toThrow(/damaged/);
    expect(() => readImageHeader(jpegBytes().subarray(0, 30), 'image/jpeg', 10)).toThrow(/damaged/);
  });
});

describe('grey pages', () => {
  const page = { width: 3, height: 2, pixels: Buffer.from([1, 2, 3, 4, 5, 6]) };

  it('turns a page a quarter clockwise, a half, and three quarters', () => {
    expect(rotate(page, 90)).toEqual({ width: 2, height: 3, pixels: Buffer.from([4, 1, 5, 2, 6, 3]) });
    expect(rotate(page, 180)).toEqual({ width: 3, height: 2, pixels: Buffer.from([6, 5, 4, 3, 2, 1]) });
    expect(rotate(page, 270)).toEqual({ width: 2, height: 3, pixels: Buffer.from([3, 6, 2, 5, 1, 4]) });
    expect(rotate(rotate(page, 90), 270)).toEqual(page);
  });

  it('writes the uncompressed grey TIFF that libvips (and Leptonica) read back pixel for pixel', async () => {
    const tiff = toTiff(page);
    expect(readImageHeader(tiff, 'image/tiff', 10).pages).toEqual([{ width: 3, height: 2 }]);
    const { width, height, channels, depth } = await sharp(tiff).metadata();
    expect({ width, height, channels, depth }).toEqual({ width: 3, height: 2, channels: 1, depth: 'uchar' });
    expect(await sharp(tiff).toColourspace('b-w').raw().toBuffer()).toEqual(page.pixels);
  });
});

describe('rendering resolution', () => {
  it('renders A4 at 300 dpi, and a huge page lower to stay within the pixel cap', () => {
    expect(renderDpi(595, 842, 50_000_000)).toBe(300);
    const dpi = renderDpi(14_400, 14_400, 50_000_000);
    expect(dpi).toBe(35);
    expect((200 * dpi) ** 2).toBeLessThanOrEqual(50_000_000);
  });
});

describe('pages read from their embedded scan', () => {
  // `pdfimages -list` as Poppler 22 prints it.
  const list = [
    'page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio',
    '--------------------------------------------------------------------------------------------',
    '   1     0 image    2480  3509  rgb     3   8  jpeg   no         6  0   300   300  654K 2.6%',
    '   2     1 image    1240  1755  gray    1   8  jpeg   no        10  0   150   150  120K 5.5%',
    '   2     2 smask    1240  1755  gray    1   8  image  no        11  0   150   150  1.2K 0.1%',
  ].join('\n');
  const a4 = { number: 1, widthPt: 595, heightPt: 842, rotate: 0 };
  const [scan] = parseImageList(list) as [ListedImage];
  const only = (changes: Partial<ListedImage>) => [{ ...scan, ...changes }];

  it('reads every row of pdfimages -list', () => {
    expect(parseImageList(list)).toEqual([
      scan,
      expect.objectContaining({ page: 2, type: 'image', color: 'gray', components: 1, xPpi: 150 }),
      expect.objectContaining({ page: 2, type: 'smask', encoding: 'image' }),
    ]);
    expect(scan).toEqual({
      page: 1,
      type: 'image',
      width: 2480,
      height: 3509,
      color: 'rgb',
      components: 3,
      bitsPerComponent: 8,
      encoding: 'jpeg',
      xPpi: 300,
      yPpi: 300,
    });
  });

  it('takes a page that is one grey or RGB JPEG filling it, at the resolution it has there', () => {
    expect(embeddedScan([scan], a4, 50_000_000)).toEqual({ dpi: 300 });
    const grey = { width: 1240, height: 1755, color: 'gray', components: 1, xPpi: 150, yPpi: 150 };
    expect(embeddedScan(only(grey), a4, 50_000_000)).toEqual({ dpi: 150 });
  });

  it.each([
    ['the page holds two images', [scan, scan], a4],
    ['the image has a soft mask', parseImageList(list).slice(1), { ...a4, number: 2 }],
    ['the image is not a JPEG', only({ encoding: 'image' }), a4],
    ['the JPEG is CMYK (often stored inverted)', only({ color: 'cmyk', components: 4 }), a4],
    ['the image covers part of the page', only({ width: 1240, height: 1755 }), a4],
    ['the image is finer than 300 ppi', only({ width: 4960, height: 7018, xPpi: 600, yPpi: 600 }), a4],
    ['the pixels are not square', only({ yPpi: 200, height: 2339 }), a4],
    ['the page is turned by /Rotate', [scan], { ...a4, rotate: 90 }],
    ['the page is another size', [scan], { ...a4, widthPt: 612, heightPt: 792 }],
    ['no image is listed for it', [scan], { ...a4, number: 3 }],
  ])('renders the page when %s', (_, images, page) => {
    expect(embeddedScan(images as ListedImage[], page, 50_000_000)).toBeUndefined();
  });

  it('renders the page when its image is over the pixel cap', () => {
    expect(embeddedScan([scan], a4, 2480 * 3509 - 1)).toBeUndefined();
  });
});

describe('what a document says about its pages', () => {
  it('says MIXED when text-layer pages were kept and OCR found text', () => {
    const tally = new PageTally();
    tally.textLayer = 2;
    tally.ocr = 1;
    tally.ocrText = true;
    expect(tally.source(true)).toEqual({
      kind: 'MIXED',
      textLayerPages: 2,
      ocrPages: 1,
      skippedPages: 0,
      note: null,
    });
  });

  it('counts skipped pages and says why, and that OCR found nothing', () => {
    const tally = new PageTally();
    tally.ocr = 1;
    tally.skip(3, 'pages past the first 1 were not OCRed (OCR_MAX_PAGES)');
    expect(tally.source(false)).toEqual({
      kind: 'NONE',
      textLayerPages: 0,
      ocrPages: 1,
      skippedPages: 3,
      note: '3 pages were not OCRed: pages past the first 1 were not OCRed (OCR_MAX_PAGES). OCR read 1 page and found no text.',
    });
  });
});

describe('the document deadline', () => {
  it('skips the scanned pages it could not finish in time, counting them, instead of failing', async () => {
    const tally = new PageTally();
    const settings = {
      mode: 'auto' as const,
      languages: 'eng',
      maxPages: 10,
      pageTimeoutMs: 1_000,
      maxPixels: 1e7,
    };
    const context = {
      // Never started: the deadline has passed before the first page.
      tools: {
        tesseract: '/nonexistent/tesseract',
        pdftoppm: '/nonexistent/pdftoppm',
        pdfimages: '/nonexistent/pdfimages',
      },
      settings: { ...settings, deadline: Date.now() - 1 },
      sink: new TextSink(1_000),
      dir: '/nonexistent',
      signal: new AbortController().signal,
    };
    const pages = [1, 2, 3].map((number) => ({ number, widthPt: 595, heightPt: 842, rotate: 0 }));
    await ocrPdfPages(context, '/nonexistent.pdf', pages, tally);
    expect(tally.source(false)).toMatchObject({ kind: 'NONE', ocrPages: 0, skippedPages: 3 });
    expect(tally.source(false).note).toMatch(/time limit \(EXTRACTION_TIMEOUT_SECONDS\)/);
  });
});
