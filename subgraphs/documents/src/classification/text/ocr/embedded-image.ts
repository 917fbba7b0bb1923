import type { PageWithoutText } from '../pdf.ts';
import { runTool, type OcrSettings, type OcrTools } from './engine.ts';

// A scanned PDF page is nearly always one image filling the page, most often the scanner's
// JPEG. Such an image is taken out of the PDF as it is stored (`pdfimages -j`: its bytes,
// not decoded) and decoded straight to grey, instead of having pdftoppm draw the whole page:
// measured on the bench's 300-dpi A4 scan, 0.16–0.17 s of CPU for pdftoppm against ~0.07 s
// for pdfimages and the decoding together, on a page Tesseract reads in ~1.05 s (ADR 0013).
// Only a page that can hold nothing but that image qualifies (see `embeddedScan`); anything
// else, and any page whose image reads doubtfully (scan-pages.ts), is rendered as before.

/** One row of `pdfimages -list`: an image as drawn on a page. */
export interface ListedImage {
  page: number;
  /** `image`, or `mask`, `smask`, `stencil` for masks. */
  type: string;
  width: number;
  height: number;
  /** `gray`, `rgb`, `cmyk`, `icc`, `index`, `sep`, … */
  color: string;
  components: number;
  bitsPerComponent: number;
  /** `jpeg`, `image` (Flate and the like), `ccitt`, `jbig2`, `jpx`. */
  encoding: string;
  /** Resolution on the page, from its size there (pdfimages rounds it). */
  xPpi: number;
  yPpi: number;
}

/** Rows of `pdfimages -list` output (two header lines, then 16 columns per image). */
export function parseImageList(out: string): ListedImage[] {
  const images: ListedImage[] = [];
  for (const line of out.split('\n').slice(2)) {
    const cells = line.trim().split(/\s+/);
    if (cells.length < 16) continue;
    const [page, , type, width, height, color, components, bits, encoding] = cells;
    images.push({
      page: Number(page),
      type: type!,
      width: Number(width),
      height: Number(height),
      color: color!,
      components: Number(components),
      bitsPerComponent: Number(bits),
      encoding: encoding!,
      xPpi: Number(cells[12]),
      yPpi: Number(cells[13]),
    });
  }
  return images;
}

/** The images drawn on pages `first` to `last`, in one run of pdfimages (it reads no pixels). */
export async function listImages(
  tools: OcrTools,
  pdfFile: string,
  first: number,
  last: number,
  settings: OcrSettings,
  signal: AbortSignal,
): Promise<ListedImage[]> {
  const range = ['-f', String(first), '-l', String(last)];
  return parseImageList(await runTool(tools.pdfimages!, ['-list', ...range, pdfFile], settings, signal));
}

/** The least resolution read from the image itself; below it the page is rendered (and refused) as before. */
const MIN_PPI = 70;
/** Up to this the image is read as it is; above, rendering at RENDER_DPI gives Tesseract fewer pixels to read. */
const MAX_PPI = 300;
/** How far the image's size on the page may differ from the page's (pdfimages rounds the ppi it reports). */
const FIT = 0.01;
/** Colour spaces whose JPEG decodes to what the page shows (CMYK JPEGs are often stored inverted). */
const PLAIN_COLOURS = new Set(['gray', 'rgb', 'icc']);

const fits = (pixels: number, ppi: number, points: number) =>
  Math.abs((pixels / ppi) * 72 - points) <= points * FIT;

/**
 * Whether `page` (no text layer) is one JPEG scan that can be read as it is stored, and at
 * which resolution: exactly one image on it, no mask, grey or RGB in 8 bits, square pixels,
 * covering the page (crop box) edge to edge, not turned by the page's /Rotate, 70–300 ppi
 * and within the pixel cap. Undefined: render the page.
 */
export function embeddedScan(
  images: readonly ListedImage[],
  page: PageWithoutText,
  maxPixels: number,
): { dpi: number } | undefined {
  const drawn = images.filter((image) => image.page === page.number);
  if (drawn.length !== 1 || page.rotate % 360 !== 0) return undefined;
  const [image] = drawn as [ListedImage];
  const plain =
    image.type === 'image' &&
    image.encoding === 'jpeg' &&
    PLAIN_COLOURS.has(image.color) &&
    (image.components === 1 || image.components === 3) &&
    image.bitsPerComponent === 8;
  if (!plain || Math.abs(image.xPpi - image.yPpi) > 1) return undefined;
  const dpi = Math.round(image.xPpi);
  if (dpi < MIN_PPI || dpi > MAX_PPI || image.width * image.height > maxPixels) return undefined;
  const covers = fits(image.width, image.xPpi, page.widthPt) && fits(image.height, image.yPpi, page.heightPt);
  return covers ? { dpi } : undefined;
}
