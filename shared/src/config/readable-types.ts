/**
 * Every type the worker extracts text from (subgraphs/documents/src/classification/text/):
 * text layers of PDF, DOCX and plain text; OCR of scans and photos (PNG, JPEG, TIFF, WebP).
 */
export const READABLE_TYPES = [
  'application/pdf',
  'text/plain',
  'text/markdown',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'image/png',
  'image/jpeg',
  'image/tiff',
  'image/webp',
] as const;
