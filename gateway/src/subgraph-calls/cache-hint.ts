// A subgraph's Cache-Control answer, as a cache hint for the client's response: what
// RemoteGraphQLDataSource does in its (private) `respond`, which SubgraphDataSource.process
// replaces (data-source.ts). Same parsing, same rules, so the response's cache policy is
// restricted exactly as before.

export interface CacheHint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
}

/** The directives of a Cache-Control header: `max-age=60, private` → { 'max-age': '60', private: true }. */
function directivesOf(header: string | null | undefined): Record<string, string | true> {
  const directives: Record<string, string | true> = {};
  if (!header) return directives;
  for (const part of header.trim().split(/\s*,\s*/)) {
    const [name, value] = part.split(/\s*=\s*/, 2);
    directives[name!] = value === undefined ? true : value.replace(/^"|"$/g, '');
  }
  return directives;
}

/** The hint a subgraph's Cache-Control gives: no max-age is max-age 0 (never cached). */
export function cacheHintOf(header: string | null | undefined): CacheHint {
  const directives = directivesOf(header);
  const hint: CacheHint = { maxAge: 0 };
  const maxAge = directives['max-age'];
  if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = Number(maxAge);
  if (directives['private'] === true) hint.scope = 'PRIVATE';
  if (directives['public'] === true) hint.scope = 'PUBLIC';
  return hint;
}
