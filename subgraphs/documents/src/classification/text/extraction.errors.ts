// Why a file's text cannot be read, ever. The worker turns these into a FAILED status with
// the message as the reason, and skips the remaining attempts (a retry would read the same
// bytes and fail the same way); any other error is treated as transient and retried.

export const UnreadableCode = {
  ENCRYPTED_PDF: 'ENCRYPTED_PDF',
  CORRUPT_PDF: 'CORRUPT_PDF',
  CORRUPT_DOCX: 'CORRUPT_DOCX',
  UNSUPPORTED_TYPE: 'UNSUPPORTED_TYPE',
  MISSING_OBJECT: 'MISSING_OBJECT',
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
