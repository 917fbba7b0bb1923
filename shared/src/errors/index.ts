export { AppError, badInput, notFound } from './app-error.ts';
export { ErrorCode, PASSTHROUGH_CODES } from './codes.ts';
export {
  dependencyOutage,
  RETRY_AFTER_SECONDS,
  serviceUnavailable,
  type Dependency,
  type DependencyOutage,
} from './dependency-errors.ts';
export { createErrorFormatter, type ErrorFormatOptions } from './format-error.ts';
