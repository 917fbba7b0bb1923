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

export const tooManyPages = (pages: number, limit: number) =>
  new UnreadableDocumentError(
    UnreadableCode.TOO_MANY_PAGES,
    `The PDF has ${pages} pages; documents of more than ${limit} pages are not read (EXTRACTION_MAX_PAGES).`,
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
