import { corruptImage } from './extraction.errors.ts';

// The size of an image read from its header alone, before anything decodes it: a few KB
// of PNG can declare 50 000 × 50 000 pixels (10 GB once decoded), so the pixel cap is
// checked on these numbers and the decoder (Tesseract's Leptonica) never sees such a file.

export interface ImagePage {
  width: number;
  height: number;
}

export interface ImageHeader {
  /** One entry per page; only TIFF has more than one. */
  pages: ImagePage[];
}

/** IFDs walked at most: past EXTRACTION_MAX_PAGES the file is refused anyway. */
const TIFF_MAX_IFDS = 1_000_000;

function png(bytes: Buffer): ImageHeader {
  // Signature (8), IHDR length (4) and type (4), then width and height.
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR')
    throw corruptImage('PNG without IHDR');
  return { pages: [{ width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }] };
}

/** Start-of-frame markers (SOF0–SOF15 but DHT, JPG and DAC) carry the frame's size. */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpeg(bytes: Buffer): ImageHeader {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw corruptImage('JPEG segment without a marker');
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    if (isStartOfFrame(marker)) {
      if (at + 9 > bytes.length) break;
      return { pages: [{ height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) }] };
    }
    if (marker === 0xd9 || marker === 0xda || length < 2) break; // end of image, or scan data before any frame
    at += 2 + length;
  }
  throw corruptImage('JPEG without a frame header');
}

function webp(bytes: Buffer): ImageHeader {
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8X' && bytes.length >= 30)
    return { pages: [{ width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 }] };
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes.readUInt32LE(21);
    return { pages: [{ width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }] };
  }
  if (chunk === 'VP8 ' && bytes.length >= 30)
    return { pages: [{ width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff }] };
  throw corruptImage('WebP without a known image chunk');
}

/** Every IFD of the chain (one per page), its width and length tags; loops are refused. */
function tiff(bytes: Buffer, maxPages: number): ImageHeader {
  const little = bytes.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  if (bytes.length < 8 || u16(2) !== 42) throw corruptImage('TIFF header (BigTIFF is not read)');
  const pages: ImagePage[] = [];
  const seen = new Set<number>();
  for (let ifd = u32(4); ifd !== 0;) {
    if (seen.has(ifd) || ifd + 2 > bytes.length || seen.size >= TIFF_MAX_IFDS)
      throw corruptImage('TIFF page chain that loops or leaves the file');
    seen.add(ifd);
    const count = u16(ifd);
    if (ifd + 2 + count * 12 + 4 > bytes.length) throw corruptImage('TIFF page directory cut short');
    const page = { width: 0, height: 0 };
    for (let entry = ifd + 2; entry < ifd + 2 + count * 12; entry += 12) {
      const tag = u16(entry);
      if (tag !== 256 && tag !== 257) continue;
      const value = u16(entry + 2) === 3 ? u16(entry + 8) : u32(entry + 8); // SHORT or LONG
      if (tag === 256) page.width = value;
      else page.height = value;
    }
    pages.push(page);
    // Counting stops once the file is known to be too long: its pages are refused unread.
    if (pages.length > maxPages) break;
    ifd = u32(ifd + 2 + count * 12);
  }
  return { pages };
}

/**
 * Page sizes from the header of a PNG, JPEG, WebP or TIFF (the types uploads accept).
 * TIFF pages are counted up to `maxPages` + 1. Malformed headers are CORRUPT_IMAGE.
 */
export function readImageHeader(bytes: Buffer, mimeType: string, maxPages: number): ImageHeader {
  try {
    if (mimeType === 'image/png') return png(bytes);
    if (mimeType === 'image/jpeg') return jpeg(bytes);
    if (mimeType === 'image/webp') return webp(bytes);
    if (mimeType === 'image/tiff') return tiff(bytes, maxPages);
  } catch (error) {
    if (error instanceof RangeError) throw corruptImage('header cut short');
    throw error;
  }
  throw corruptImage(`unknown image type ${mimeType}`);
}
