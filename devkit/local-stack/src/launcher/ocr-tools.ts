import { findExecutable } from '../util.ts';

// The OCR commands are found on the PATH, like redis-server. Without them the system runs,
// but scans cannot be read: `npm start` says so before the services start.

const TOOLS = [
  {
    name: 'tesseract',
    needs: 'tesseract-ocr (+ tesseract-ocr-eng, -deu, -osd)',
    without: 'scans and photos (PNG, JPEG, TIFF, WebP) cannot be read',
  },
  { name: 'pdftoppm', needs: 'poppler-utils', without: 'PDF pages without a text layer cannot be OCRed' },
] as const;

/**
 * Warnings for the OCR commands missing from `searchPath`; none when all are there or
 * OCR is off (`ocrMode`, the worker's OCR setting).
 */
export function missingOcrTools(searchPath: string, ocrMode: string | undefined): string[] {
  if (ocrMode === 'off') return [];
  const missing = TOOLS.filter((tool) => !findExecutable(tool.name, searchPath));
  if (missing.length === 0) return [];
  return [
    `OCR: ${missing.map((t) => t.name).join(' and ')} not found on the PATH: ${missing.map((t) => t.without).join('; ')}.` +
      `\nSuch documents end FAILED saying so; install ${missing.map((t) => t.needs).join(' and ')}` +
      ' (README, "Install"), then reclassify them (reclassifyDocument / reclassifyAll).',
  ];
}
