import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderThumbnail, type RenderSettings } from '@docuvault/documents/thumbnails/render';
import type { ThumbnailSource } from '@docuvault/documents/thumbnails/thumbnails';
import { buildPdf, serialise, textPdf } from '../../fixtures/pdf.ts';
import { imageSize, pngBombHead, stripedPng } from '../../fixtures/png.ts';
import { greyTiff } from '../../fixtures/tiff.ts';

// The renderer on its own, as the worker runs it: pdftoppm or the image child under a data
// segment cap and a deadline, on files the test writes. Sizes first, then the caps.

const settings: RenderSettings = { memoryLimitMb: 256, searchPath: process.env.PATH ?? '' };
let dir: string;
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'thumbnail-render-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function render(
  bytes: Buffer,
  source: ThumbnailSource,
  options: { settings?: RenderSettings; timeoutMs?: number } = {},
) {
  const work = path.join(dir, String(++count));
  await rm(work, { recursive: true, force: true });
  await mkdir(work);
  const input = path.join(work, 'object');
  await writeFile(input, bytes);
  const started = performance.now();
  const result = await renderThumbnail(
    input,
    source,
    work,
    options.settings ?? settings,
    AbortSignal.timeout(options.timeoutMs ?? 20_000),
  );
  const ms = performance.now() - started;
  if (!result.ok) return { ...result, ms };
  return { ...result, ms, size: imageSize(await readFile(result.file)) };
}

/** A one-page PDF of the given MediaBox size, in points, with no content. */
const blankPage = (width: number, height: number) =>
  serialise([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Contents 4 0 R >>`,
    '<< /Length 0 >>\nstream\n\nendstream',
  ]);

describe('PDF thumbnails', () => {
  it('render the first page 400 px wide, keeping its proportions', async () => {
    const twoPages = buildPdf([{ lines: ['first page'] }, { lines: ['second page'] }]);
    const result = await render(twoPages, 'pdf');
    expect(result).toMatchObject({ ok: true, size: { format: 'png', width: 400, height: 518 } });
  });

  it('render a landscape page 400 px wide', async () => {
    const result = await render(blankPage(842, 595), 'pdf');
    expect(result).toMatchObject({ ok: true, size: { width: 400, height: 283 } });
  });

  it('cut a page far taller than wide to its top 800 px, without rasterising the rest', async () => {
    // 100 × 14 400 pt: at 400 px wide the whole page would be 57 600 px tall.
    const result = await render(blankPage(100, 14_400), 'pdf');
    expect(result).toMatchObject({ ok: true, size: { width: 400, height: 800 } });
  });

  it('answer why for bytes that are not a PDF', async () => {
    const result = await render(Buffer.from('%PDF-1.7\n' + 'Z'.repeat(2_000)), 'pdf');
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reason: expect.stringMatching(/^renderer failed: exit code \d+/) });
  });
});

describe('image thumbnails', () => {
  it('shrink an image to 400 px wide as WebP', async () => {
    const result = await render(stripedPng(1200, 900), 'image');
    expect(result).toMatchObject({ ok: true, size: { format: 'webp', width: 400, height: 300 } });
  });

  it('never enlarge a small image', async () => {
    const result = await render(stripedPng(120, 80), 'image');
    expect(result).toMatchObject({ ok: true, size: { width: 120, height: 80 } });
  });

  it('fit a tall image inside 400 × 800', async () => {
    const result = await render(stripedPng(300, 1200), 'image');
    expect(result).toMatchObject({ ok: true, size: { width: 200, height: 800 } });
  });

  it('render the first page of a multi-page TIFF', async () => {
    const tiff = greyTiff([
      { width: 800, height: 400, grey: 40 },
      { width: 300, height: 900, grey: 200 },
    ]);
    const result = await render(tiff, 'image');
    expect(result).toMatchObject({ ok: true, size: { width: 400, height: 200 } });
  });

  it('refuse a decompression bomb from its header, before decoding a pixel', async () => {
    const bomb = pngBombHead(50_000);
    expect(bomb.length).toBeLessThan(10_000);
    const result = await render(bomb, 'image');
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/pixel limit/) });
  });

  it('refuse SVG and PDF bytes: only the PNG, JPEG, TIFF and WebP loaders are enabled', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    for (const bytes of [svg, textPdf('not an image')]) {
      const result = await render(bytes, 'image');
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/unsupported image format/) });
    }
  });
});

describe('the caps', () => {
  it('a renderer that needs more memory than its limit fails, and says it ran out', async () => {
    const result = await render(textPdf('needs more than a megabyte'), 'pdf', {
      settings: { ...settings, memoryLimitMb: 1 },
    });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/memory limit 1 MB/) });
  });

  it('a renderer past its deadline is killed', async () => {
    const result = await render(stripedPng(1200, 900), 'image', { timeoutMs: 50 });
    expect(result).toMatchObject({ ok: false, reason: 'renderer failed: stopped at its deadline' });
    expect(result.ms).toBeLessThan(2_000);
  });

  it('without pdftoppm on the PATH, says so', async () => {
    const result = await render(textPdf('x'), 'pdf', { settings: { ...settings, searchPath: dir } });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/pdftoppm .* not on the PATH/) });
  });
});
