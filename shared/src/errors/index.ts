export { AppError, badInput, notFound } from './app-error.ts';
export { ErrorCode, PASSTHROUGH_CODES } from './codes.ts';
export { createErrorFormatter } from './format-error.ts';
