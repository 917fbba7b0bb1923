import contentDisposition from 'content-disposition';

export type Disposition = 'INLINE' | 'ATTACHMENT';

/** "Rechnung März.pdf" → "Rechnung Marz.pdf": accents dropped, anything else non-ASCII replaced. */
function asciiFallback(filename: string): string {
  return filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');
}

/**
 * RFC 6266 header with an ASCII `filename` for old clients and the exact name
 * in `filename*` (RFC 5987, UTF-8). The library emits `filename*` only for
 * names outside Latin-1, and a Latin-1 byte such as "ä" in a header is read
 * differently by different clients; giving an explicit ASCII fallback makes it
 * emit `filename*` whenever the name is not plain ASCII.
 */
export function dispositionHeader(filename: string, disposition: Disposition): string {
  return contentDisposition(filename, {
    type: disposition === 'INLINE' ? 'inline' : 'attachment',
    fallback: asciiFallback(filename),
  });
}
