import { crc32, createDeflate } from 'node:zlib';

// Hostile scans, built in the test (a few hundred KB each at most).

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A complete, valid PNG of `side` × `side` white pixels at 1 bit per pixel: ~300 KB for
 * 50 000 × 50 000, which a decoder to 8-bit grey turns into 2.5 GB.
 */
export async function decompressionBombPng(side = 50_000): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = Buffer.alloc(1 + Math.ceil(side / 8), 0xff);
  row[0] = 0; // filter: none
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (data: Buffer) => parts.push(data));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  for (let y = 0; y < side; y++) {
    if (!deflate.write(row)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.concat(parts)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG cut in the middle of its scan data, with garbage after the cut. */
export function corruptJpeg(jpeg: Buffer): Buffer {
  const cut = Math.floor(jpeg.length / 3);
  return Buffer.concat([jpeg.subarray(0, cut), Buffer.alloc(64, 0x00)]);
}

/**
 * A JPEG whose frame header claims `side` × `side` pixels while its data is that of the small
 * image it was: what a PDF's image dictionary says about it (its own size) no longer holds.
 */
export function jpegClaimingSize(jpeg: Buffer, side = 50_000): Buffer {
  const out = Buffer.from(jpeg);
  for (let at = 2; at < out.length; at += 2 + out.readUInt16BE(at + 2)) {
    const marker = out[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xc2) {
      out.writeUInt16BE(side, at + 5);
      out.writeUInt16BE(side, at + 7);
      return out;
    }
  }
  throw new Error('not a JPEG with a frame header');
}
