import type { GetPresigner } from '@docuvault/shared/object-store/presign-get';
import { dispositionHeader } from '../downloads/content-disposition.ts';
import { presignDownload, type PresignedUrl } from '../downloads/downloads.service.ts';

/**
 * Types served inline: pictures and PDFs, which browsers display in a viewer that runs no
 * script of the document's. Everything else (text that a browser could sniff as HTML,
 * SVG, XML, office files) is only ever an attachment. An allow-list: a type added to
 * uploads later is not served inline until someone decides it is safe.
 */
export const PREVIEW_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/tiff',
]);

/** The worker writes these two formats (documents' thumbnails/thumbnails.ts). */
const THUMBNAIL_TYPES: Readonly<Record<string, string>> = { '.png': 'image/png', '.webp': 'image/webp' };

export interface PreviewSource {
  objectKey: string;
  originalFilename: string;
  mimeType: string;
}

/** An inline URL of the document's own bytes, typed as sniffed; null for types not in PREVIEW_TYPES. */
export function presignPreview(
  presigner: GetPresigner,
  document: PreviewSource,
  expiresIn: number,
  now = new Date(),
): PresignedUrl | null {
  if (!PREVIEW_TYPES.has(document.mimeType)) return null;
  return presignDownload(presigner, { ...document, disposition: 'INLINE', expiresIn }, now);
}

/** An inline URL of the thumbnail; null while there is none. */
export function presignThumbnail(
  presigner: GetPresigner,
  thumbnailKey: string | null | undefined,
  expiresIn: number,
  now = new Date(),
): PresignedUrl | null {
  if (!thumbnailKey) return null;
  const extension = thumbnailKey.slice(thumbnailKey.lastIndexOf('.'));
  const contentType = THUMBNAIL_TYPES[extension];
  // Not a key the worker writes: serve nothing rather than bytes of an unknown type.
  if (!contentType) return null;
  const url = presigner.presignGet(
    thumbnailKey,
    expiresIn,
    { contentDisposition: dispositionHeader(`thumbnail${extension}`, 'INLINE'), contentType },
    now,
  );
  return { url, expiresAt: new Date(now.getTime() + expiresIn * 1000) };
}
