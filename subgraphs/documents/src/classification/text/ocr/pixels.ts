// Grey pages as raw pixels (one byte each): what pdftoppm renders (PGM) and sharp decodes
// images to. Tesseract reads PGM without any compression step in between, and a page
// turned by a quarter or a half is turned here, on the bytes, with no image library.

export interface GreyPage {
  width: number;
  height: number;
  pixels: Buffer;
}

/** A binary PGM (P5, 8-bit) as pdftoppm -gray writes it. */
export function parsePgm(pgm: Buffer): GreyPage {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.toString('latin1', 0, 64));
  if (!header || header[3] !== '255') throw new Error('not an 8-bit binary PGM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const pixels = pgm.subarray(header[0].length, header[0].length + width * height);
  if (pixels.length !== width * height) throw new Error('PGM cut short');
  return { width, height, pixels };
}

export function toPgm(page: GreyPage): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${page.width} ${page.height}\n255\n`, 'latin1'), page.pixels]);
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
