// Why a file's text cannot be read, ever. The worker turns these into a FAILED status with
// the message as the reason, and skips the remaining attempts (a retry would read the same
// bytes and fail the same way); any other error is treated as transient and retried.

export const UnreadableCode = {
  ENCRYPTED_PDF: 'ENCRYPTED_PDF',
  CORRUPT_PDF: 'CORRUPT_PDF',
  CORRUPT_DOCX: 'CORRUPT_DOCX',
  UNSUPPORTED_TYPE: 'UNSUPPORTED_TYPE',
  MISSING_OBJECT: 'MISSING_OBJECT',
  TOO_MANY_PAGES: 'TOO_MANY_PAGES',
  ZIP_BOMB: 'ZIP_BOMB',
  MEMORY_LIMIT: 'MEMORY_LIMIT',
  TIME_LIMIT: 'TIME_LIMIT',
  EXTRACTION_CRASHED: 'EXTRACTION_CRASHED',
  CORRUPT_IMAGE: 'CORRUPT_IMAGE',
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  OCR_UNAVAILABLE: 'OCR_UNAVAILABLE',
} as const;
export type UnreadableCode = (typeof UnreadableCode)[keyof typeof UnreadableCode];

export class UnreadableDocumentError extends Error {
  readonly code: UnreadableCode;

  constructor(code: UnreadableCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnreadableDocumentError';
    this.code = code;
  }
}

export const encryptedPdf = (cause: unknown) =>
  new UnreadableDocumentError(
    UnreadableCode.ENCRYPTED_PDF,
    'The PDF is password-protected, so its text cannot be read. Upload a copy without a password.',
    { cause },
  );

export const corruptPdf = (detail: string, cause: unknown) =>
  new UnreadableDocumentError(
    UnreadableCode.CORRUPT_PDF,
    `The file is damaged or not a valid PDF (${detail}), so its text cannot be read.`,
    { cause },
  );

export const corruptDocx = (detail: string, cause: unknown) =>
  new UnreadableDocumentError(
    UnreadableCode.CORRUPT_DOCX,
    `The file is damaged or not a valid Word document (${detail}), so its text cannot be read.`,
    { cause },
  );

export const corruptImage = (detail: string, cause?: unknown) =>
  new UnreadableDocumentError(
    UnreadableCode.CORRUPT_IMAGE,
    `The image is damaged or not a valid image (${detail}), so its text cannot be read.`,
    { cause },
  );

/** `what`: e.g. "The image" or "Page 3"; checked on the declared size, before anything is decoded. */
export const imageTooLarge = (what: string, width: number, height: number, maxPixels: number) =>
  new UnreadableDocumentError(
    UnreadableCode.IMAGE_TOO_LARGE,
    `${what} is ${width} × ${height} pixels, more than the ${Math.round(maxPixels / 1e6)} million pixels a page may have (OCR_MAX_PIXELS), so it is not read.`,
  );

export const pageTooLarge = (page: number, widthIn: number, heightIn: number) =>
  new UnreadableDocumentError(
    UnreadableCode.IMAGE_TOO_LARGE,
    `Page ${page} of the PDF is ${Math.round(widthIn)} × ${Math.round(heightIn)} inches: too large to render for OCR within OCR_MAX_PIXELS even at low resolution, so the document is not read.`,
  );

/** A scan whose every page needs OCR, on a worker without Tesseract: retried by reclassifying once it is installed. */
export const ocrUnavailable = (why: string) =>
  new UnreadableDocumentError(
    UnreadableCode.OCR_UNAVAILABLE,
    `The document has no text of its own and needs OCR, but ${why}; reclassify it (reclassifyDocument) once OCR is available.`,
  );

export const unsupportedType = (mimeType: string) =>
  new UnreadableDocumentError(
    UnreadableCode.UNSUPPORTED_TYPE,
    `Text cannot be extracted from files of type ${mimeType}.`,
  );

export const missingObject = (key: string) =>
  new UnreadableDocumentError(
    UnreadableCode.MISSING_OBJECT,
    `The stored file (${key}) is missing from the object store.`,
  );

// Limits of extraction (see extraction-sandbox.ts). Each is deterministic for the file: the
// same bytes overrun the same limit on every attempt, so none of them is retried.

const mebibytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/** `counted`: pages were counted only until the limit was passed. */
export const tooManyPages = (pages: number, limit: number, counted = false) =>
  new UnreadableDocumentError(
    UnreadableCode.TOO_MANY_PAGES,
    `The file has ${counted ? 'more than ' + String(limit) : pages} pages; documents of more than ${limit} pages are not read (EXTRACTION_MAX_PAGES).`,
  );

export const unzippedTooLarge = (part: string, limitBytes: number) =>
  new UnreadableDocumentError(
    UnreadableCode.ZIP_BOMB,
    `The Word document's ${part} unpacks to more than ${mebibytes(limitBytes)} (EXTRACTION_MAX_UNZIPPED_BYTES), so it is not read.`,
  );

export const compressionRatioTooHigh = (part: string, maxRatio: number) =>
  new UnreadableDocumentError(
    UnreadableCode.ZIP_BOMB,
    `The Word document's ${part} is compressed more than ${maxRatio} to 1 (EXTRACTION_MAX_ZIP_RATIO), as zip bombs are, so it is not read.`,
  );

export const memoryLimit = (limitMb: number) =>
  new UnreadableDocumentError(
    UnreadableCode.MEMORY_LIMIT,
    `Reading the file's text needed more than ${limitMb} MB of memory (EXTRACTION_MEMORY_LIMIT_MB), so it was stopped.`,
  );

export const timeLimit = (seconds: number) =>
  new UnreadableDocumentError(
    UnreadableCode.TIME_LIMIT,
    `Reading the file's text took longer than ${seconds} s (EXTRACTION_TIMEOUT_SECONDS), so it was stopped.`,
  );

export const extractionCrashed = (how: string) =>
  new UnreadableDocumentError(
    UnreadableCode.EXTRACTION_CRASHED,
    `Reading the file's text stopped abnormally (${how}); the file may be malformed.`,
  );
