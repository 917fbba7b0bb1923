// Text that breaks a data layer which splices values into SQL or treats placeholders
// specially: MikroORM's `?`/`??`, PostgreSQL's `$1`, quotes of both kinds, backslashes
// (E'' strings), a NUL-free mix of all of them, and non-ASCII. The data-layer round-trip
// tests store each through every repository and expect it back byte for byte.
export const AWKWARD_VALUES: readonly string[] = [
  'what?',
  '??',
  '$1',
  '$1 and $2::text',
  "it's",
  'say "hi"',
  'back\\slash \\\\ \\n',
  "?' or 1=1 --",
  '\\x00 is not a NUL',
  'jsonb ?| array and ?&',
  'Grüße, 東京 😀',
];
