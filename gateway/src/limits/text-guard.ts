import { badInput } from '@docuvault/shared/errors/index';

// Text that no subgraph can store: PostgreSQL refuses U+0000 in text (the driver fails
// with "invalid message format", a 500), and an unpaired UTF-16 surrogate, which JSON
// allows ("\ud800"), has no UTF-8 form and would be stored as U+FFFD, silently changed.
// Both are refused at the edge, in variables and in string literals alike.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isUnstorable = (text: string): boolean => text.includes('\u0000') || LONE_SURROGATE.test(text);

export const unstorableText = (where: string) =>
  badInput(`${where} contains U+0000 or an unpaired surrogate, which cannot be stored`, { path: where });

/**
 * The path of the first unstorable string (or object key) in a JSON value, walked
 * without recursion: a client's variables may nest thousands of levels deep.
 */
export function findUnstorable(value: unknown, root: string): string | undefined {
  const pending: [unknown, string][] = [[value, root]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, path] = next;
    if (typeof current === 'string') {
      if (isUnstorable(current)) return path;
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push([item, `${path}.${index}`]));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        if (isUnstorable(key)) return path;
        pending.push([item, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}
