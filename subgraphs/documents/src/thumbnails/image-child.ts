import sharp from 'sharp';
import { MAX_INPUT_PIXELS, THUMBNAIL_MAX_HEIGHT, THUMBNAIL_WIDTH } from './thumbnails.ts';

// `node image-child.ts <input> <output>`: one image to a WebP thumbnail, run by render.ts
// under a data-segment limit and a deadline. Exits 0 with the output written, or non-zero
// with the reason on stderr. Only the four loaders of our accepted image types stay
// enabled: libvips would otherwise also read SVG, PDF, HEIF and more from sniffed bytes.

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: image-child.ts <input> <output>\n');
  process.exit(64);
}

sharp.cache(false);
sharp.concurrency(1);
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({
  operation: ['VipsForeignLoadPng', 'VipsForeignLoadJpeg', 'VipsForeignLoadTiff', 'VipsForeignLoadWebp'],
});

try {
  await sharp(input, {
    limitInputPixels: MAX_INPUT_PIXELS,
    // First page of a TIFF (or animated WebP); a truncated scan still shows what it has.
    pages: 1,
    failOn: 'error',
    sequentialRead: true,
    autoOrient: true,
  })
    .resize({
      width: THUMBNAIL_WIDTH,
      height: THUMBNAIL_MAX_HEIGHT,
      fit: 'inside',
      withoutEnlargement: true,
    })
    .webp({ quality: 80 })
    .toFile(output);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
