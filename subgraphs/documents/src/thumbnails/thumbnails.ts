import { randomUUID } from 'node:crypto';

// What a thumbnail is: the first page of a PDF, or the image itself (a TIFF's first page),
// at most THUMBNAIL_WIDTH wide and THUMBNAIL_MAX_HEIGHT tall.

export const THUMBNAIL_WIDTH = 400;
/** A page taller than twice its width (a receipt roll) is cut to its top part. */
export const THUMBNAIL_MAX_HEIGHT = 800;
/**
 * Images of more pixels are not decoded (libvips refuses them from their header): a
 * decompression bomb of a few KB declares billions. 100 MP holds a 300-dpi A3 scan (17 MP)
 * and any camera's photo.
 */
export const MAX_INPUT_PIXELS = 100_000_000;

/** Types the thumbnail renderer reads: the same sniffed types the image path of uploads accepts. */
export const THUMBNAIL_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/tiff',
  'image/webp',
]);

export type ThumbnailSource = 'pdf' | 'image';

/** How a document's thumbnail is made; undefined for types that have none (text, DOCX). */
export function thumbnailSource(mimeType: string): ThumbnailSource | undefined {
  if (mimeType === 'application/pdf') return 'pdf';
  if (THUMBNAIL_IMAGE_TYPES.has(mimeType)) return 'image';
  return undefined;
}

/** PDFs keep pdftoppm's PNG; images are written as WebP (a photo as PNG is ten times larger). */
export const THUMBNAIL_FORMATS = {
  pdf: { extension: '.png', contentType: 'image/png' },
  image: { extension: '.webp', contentType: 'image/webp' },
} as const satisfies Record<ThumbnailSource, { extension: string; contentType: string }>;

/**
 * `{prefix}thumbnail-{uuid}{ext}` beside the document's bytes (`{owner}/{documentId}/…`):
 * under the owner's prefix, so an account deletion's prefix removal takes it too; the uuid
 * keeps a re-rendered thumbnail from overwriting one a concurrent job recorded.
 */
export function thumbnailKey(documentObjectKey: string, source: ThumbnailSource): string {
  const slash = documentObjectKey.lastIndexOf('/');
  const prefix = slash === -1 ? '' : documentObjectKey.slice(0, slash + 1);
  return `${prefix}thumbnail-${randomUUID()}${THUMBNAIL_FORMATS[source].extension}`;
}
