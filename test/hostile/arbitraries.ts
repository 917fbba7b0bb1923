import fc from 'fast-check';

// Generators of bad input for the hostile suite. Each is bounded (sizes, lengths) so a
// fixed seed gives a fast, repeatable run.

/** What the gateway refuses in any string: U+0000 and unpaired surrogates. */
export const isUnstorable = (text: string): boolean =>
  text.includes('\u0000') ||
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const VALID_BODY = JSON.stringify({
  query: 'query($id: ID!) { document(id: $id) { id title } }',
  variables: { id: '00000000-0000-4000-8000-000000000000' },
});

/** Bodies that are not a GraphQL request: broken JSON, JSON of the wrong shape. */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  // A valid request cut short (the empty body included).
  fc.integer({ min: 0, max: VALID_BODY.length - 1 }).map((n) => VALID_BODY.slice(0, n)),
  // A valid request with a stray character put in.
  fc
    .tuple(
      fc.integer({ min: 0, max: VALID_BODY.length }),
      fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'x', '\u0000'),
    )
    .map(([at, c]) => `${VALID_BODY.slice(0, at)}${c}${VALID_BODY.slice(at)}`)
    .filter((text) => !parses(text)),
  // Noise.
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 200 }).filter((text) => !parses(text)),
  // JSON, but not an object: strict parsing refuses scalars; arrays are batches (refused).
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string()).map((v) => JSON.stringify(v)),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }).map((v) => JSON.stringify(v)),
  // Objects without a usable query.
  fc
    .dictionary(
      fc.string({ maxLength: 10 }).filter((k) => k !== 'query' && k !== 'extensions' && k !== '__proto__'),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 4 },
    )
    .map((v) => JSON.stringify(v)),
  fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string())).map((query) => JSON.stringify({ query })),
  fc.constantFrom(
    '"variables"',
    '{"query": "{ topics { id } }", "variables": "{}"}',
    '{"query": "{ topics { id } }", "variables": []}',
  ),
);

/** Content types that are not JSON (multipart has its own suite), with or without the CSRF header. */
export const wrongContentType = fc.record({
  type: fc.oneof(
    fc.constantFrom(
      undefined,
      'text/plain',
      'text/html',
      'application/x-www-form-urlencoded',
      'application/xml',
      'application/graphql',
      'application/octet-stream',
      'image/png',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/jsonx',
      ';;;',
      'application/',
    ),
    fc
      .stringMatching(/^[a-z]{1,12}\/[a-z0-9.+-]{1,20}$/)
      .filter((t) => t !== 'application/json' && !t.startsWith('multipart/')),
  ),
  preflight: fc.boolean(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids that are not UUIDs: noise, near misses of real UUIDs, injection attempts. */
export const invalidUuid: fc.Arbitrary<string | number> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !UUID.test(s)),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !UUID.test(s)),
  fc
    .tuple(fc.uuid(), fc.nat({ max: 35 }), fc.constantFrom('g', 'z', '-', ' ', '', '00', 'é', '\u0000'))
    .map(([uuid, at, c]) => `${uuid.slice(0, at)}${c}${uuid.slice(at + 1)}`)
    .filter((s) => !UUID.test(s)),
  fc.uuid().map((uuid) => `{${uuid}}`),
  fc.uuid().map((uuid) => `urn:uuid:${uuid}`),
  fc.uuid().map((uuid) => uuid.replace(/-/g, '')),
  fc.constantFrom("1' or '1'='1", "'; drop table documents; --", '../../etc/passwd', 'x'.repeat(5_000), ''),
  fc.integer(),
);

/** Characters that break naive text handling: controls, bidi overrides, joiners, combining marks, BOM. */
const EDGE_CHARACTERS = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\t',
  '\n',
  '\r',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u200e',
  '\u202e',
  '\u2028',
  '\u2029',
  '\u2066',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\u0301',
  '\u0338',
  '\ud800',
  '\udfff',
  '🙂',
  '👩‍👩‍👧',
  '🇩🇪',
  'e\u0301',
  'ß',
  'İ',
  'ﷺ',
  '𝕏',
  'ｆｕｌｌ',
  '"',
  "'",
  '\\',
  '<',
  '>',
  '&',
  '%',
];

const edgeText = (maxLength: number) => fc.string({ unit: fc.constantFrom(...EDGE_CHARACTERS), maxLength });

/** Titles: every kind of text, some blank, some too long, some unstorable. */
export const titleText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  edgeText(40),
  fc
    .tuple(fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), edgeText(10))
    .map(([a, b]) => `${a}${b}${a}`),
  // Around the limit of 500 characters, counted in code points (an emoji is one, not two).
  fc.integer({ min: 495, max: 505 }).map((n) => '🙂'.repeat(n)),
  fc.constantFrom(' ', '\u3000\u00a0 ', '\ufeff'),
);

/** Search queries: the same, plus full-text syntax (websearch operators, quotes, prefixes). */
export const searchText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  edgeText(30),
  fc.string({
    unit: fc.constantFrom('!', '&', '|', ':', '*', '<', '-', '>', '(', ')', '"', "'", 'or', 'and', ' ', 'a'),
    maxLength: 40,
  }),
  fc.integer({ min: 995, max: 1_005 }).map((n) => 'ü'.repeat(n)),
);
