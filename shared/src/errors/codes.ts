// The stable error codes clients may rely on (extensions.code). Adding one is
// a contract change: add it here and to the README's list.
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  TOO_MANY_FILES: 'TOO_MANY_FILES',
  UNSUPPORTED_TYPE: 'UNSUPPORTED_TYPE',
  EMPTY_FILE: 'EMPTY_FILE',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes raised by GraphQL tooling itself that are already safe and stable for clients. */
export const PASSTHROUGH_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  // Not INTERNAL_SERVER_ERROR: Apollo gives that code to every unexpected
  // resolver error, whose message (SQL, hostnames) must not reach clients.
  ...Object.values(ErrorCode).filter((code) => code !== 'INTERNAL_SERVER_ERROR'),
]);
