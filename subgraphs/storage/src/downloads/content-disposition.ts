import contentDisposition from 'content-disposition';

export type Disposition = 'INLINE' | 'ATTACHMENT';

/**
 * RFC 6266 header with an ASCII fallback `filename` and the exact UTF-8 name in
 * `filename*` (RFC 5987), so "Rechnung März "final".pdf" arrives intact.
 */
export function dispositionHeader(filename: string, disposition: Disposition): string {
  return contentDisposition(filename, { type: disposition === 'INLINE' ? 'inline' : 'attachment' });
}
