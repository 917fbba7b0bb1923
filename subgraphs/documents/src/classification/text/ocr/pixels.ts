// Grey pages as raw pixels (one byte each): what sharp decodes images (and, for a page to be
// turned, pdftoppm's TIFF) to. They go to Tesseract as an uncompressed grey TIFF: Leptonica
// reads a TIFF strip in one go where its PNM reader goes pixel by pixel (measured: the same
// page read from TIFF took 10 % less of Tesseract's time than from PGM; ADR 0013). A page
// turned by a quarter or a half is turned here, on the bytes, with no image library.

export interface GreyPage {
  width: number;
  height: number;
  pixels: Buffer;
}

/** Baseline TIFF tags of an 8-bit grey image in one uncompressed strip: tag, type (3 SHORT, 4 LONG), value. */
function tiffTags(width: number, height: number, stripOffset: number): [number, number, number][] {
  return [
    [256, 4, width], // ImageWidth
    [257, 4, height], // ImageLength
    [258, 3, 8], // BitsPerSample
    [259, 3, 1], // Compression: none
    [262, 3, 1], // PhotometricInterpretation: BlackIsZero
    [273, 4, stripOffset], // StripOffsets
    [277, 3, 1], // SamplesPerPixel
    [278, 4, height], // RowsPerStrip: the whole image
    [279, 4, width * height], // StripByteCounts
  ];
}

/** A little-endian baseline TIFF of the page: an 8-byte header, one IFD, then the pixels. */
export function toTiff(page: GreyPage): Buffer {
  const entries = 9;
  const ifdBytes = 2 + entries * 12 + 4;
  const header = Buffer.alloc(8 + ifdBytes);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(8, 4);
  header.writeUInt16LE(entries, 8);
  tiffTags(page.width, page.height, header.length).forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    header.writeUInt16LE(tag, at);
    header.writeUInt16LE(type, at + 2);
    header.writeUInt32LE(1, at + 4);
    if (type === 3) header.writeUInt16LE(value, at + 8);
    else header.writeUInt32LE(value, at + 8);
  });
  header.writeUInt32LE(0, 10 + entries * 12); // no next IFD
  return Buffer.concat([header, page.pixels]);
}

/** The page turned clockwise by `degrees` (0, 90, 180 or 270). */
export function rotate(page: GreyPage, degrees: number): GreyPage {
  const { width, height, pixels } = page;
  if (degrees === 0) return page;
  const out = Buffer.allocUnsafe(pixels.length);
  if (degrees === 180) {
    for (let i = 0, j = pixels.length - 1; i < pixels.length; i++, j--) out[j] = pixels[i]!;
    return { width, height, pixels: out };
  }
  // 90° clockwise: source (x, y) goes to (height - 1 - y, x) in a height × width page.
  const clockwise = degrees === 90;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const target = clockwise ? x * height + (height - 1 - y) : (width - 1 - x) * height + y;
      out[target] = pixels[row + x]!;
    }
  }
  return { width: height, height: width, pixels: out };
}
