import { malformed, tooManyFiles } from './upload-errors.ts';

// The `operations` and `map` fields of a GraphQL multipart request
// (https://github.com/jaydenseric/graphql-multipart-request-spec), checked as strictly
// as the documents subgraph's parser will check them, so a bad map fails here, early.

export type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Stands in for a file in the variables while the gateway plans and executes the
 * operation. Not null: the gateway validates variables, and `file: Upload!` must not be
 * null. The `Upload` scalar of the supergraph accepts any value, so a string passes, and
 * the data source swaps it back to null (as the spec wants) on the way to the subgraph.
 */
export const placeholderFor = (key: string): string => `docuvault-upload:${key}`;

export function parseOperations(json: string): JsonObject {
  let operations: unknown;
  try {
    operations = JSON.parse(json);
  } catch {
    throw malformed('the ‘operations’ field is not valid JSON');
  }
  if (Array.isArray(operations)) throw malformed('batched operations are not supported');
  if (!isObject(operations)) throw malformed('the ‘operations’ field must be a JSON object');
  return operations;
}

/** Path segments: `variables.files.1` → ['variables', 'files', '1']. */
export const segmentsOf = (path: string): string[] => path.split('.');

export function valueAt(root: unknown, segments: readonly string[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as JsonObject)[segment];
  }
  return current;
}

/** A copy of `root` with `value` at `segments`; objects along the path are copied, never changed. */
export function withValueAt(root: unknown, segments: readonly string[], value: unknown): unknown {
  const [head, ...rest] = segments;
  if (head === undefined) return value;
  const container = root as JsonObject | unknown[];
  const copy: JsonObject | unknown[] = Array.isArray(container) ? [...container] : { ...container };
  (copy as JsonObject)[head] = withValueAt((container as JsonObject)[head], rest, value);
  return copy;
}

/**
 * Checks `map` against `operations` and puts a placeholder where each file goes.
 * Answers the map as key → paths (in the client's order).
 */
export function applyMap(json: string, operations: JsonObject, maxFiles: number): Map<string, string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw malformed('the ‘map’ field is not valid JSON');
  }
  if (!isObject(parsed)) throw malformed('the ‘map’ field must be a JSON object');
  const entries = Object.entries(parsed);
  if (entries.length > maxFiles) throw tooManyFiles(maxFiles);
  const map = new Map<string, string[]>();
  for (const [key, paths] of entries) {
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
      throw malformed(`map entry ‘${key}’ must be a non-empty array of paths`);
    }
    for (const path of paths as string[]) {
      const segments = segmentsOf(path);
      if (segments[0] !== 'variables' || segments.length < 2 || valueAt(operations, segments) !== null) {
        throw malformed(`map entry ‘${key}’ names ‘${path}’, which is not a null variable of the operation`);
      }
      const parent = valueAt(operations, segments.slice(0, -1)) as JsonObject;
      parent[segments.at(-1) as string] = placeholderFor(key);
    }
    map.set(key, paths as string[]);
  }
  return map;
}
