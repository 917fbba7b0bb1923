import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { check, expectAccepted, expectRefused, Hostile, printCounts } from './hostile-support.ts';

// Operations shaped to exhaust the gateway: deep, wide, alias bombs, fragment bombs,
// token floods. Each over a limit is QUERY_TOO_COMPLEX, refused before the query
// planner runs; each within the limits is answered. Limits: the defaults (depth 15,
// aliases 30, root fields 20, tokens 15000).

let hostile: Hostile;

beforeAll(async () => {
  hostile = await Hostile.start('hostile-operations');
});

afterAll(async () => {
  await hostile?.close();
  printCounts('operations');
});

const MAX_DEPTH = 15;
const MAX_ALIASES = 30;
const MAX_ROOT_FIELDS = 20;

const send = (query: string) => hostile.leavesNothing(() => hostile.graphql(query));

function expectLimit(outcome: Awaited<ReturnType<typeof send>>, limit: string): void {
  expectRefused(outcome, 'QUERY_TOO_COMPLEX', [400]);
  const error = outcome.body.errors?.find((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX');
  expect(error?.extensions?.limit).toBe(limit);
}

/** `folders { parent { … { id } } }`: depth = parents + 2, written plainly, in inline fragments or in named ones. */
function deepQuery(parents: number, style: 'plain' | 'inline' | 'named'): string {
  if (style === 'named') {
    const fragments = Array.from({ length: parents }, (_, i) =>
      i === parents - 1
        ? `fragment P${i} on Folder { parent { id } }`
        : `fragment P${i} on Folder { parent { ...P${i + 1} } }`,
    );
    return parents === 0 ? '{ folders { id } }' : `{ folders { ...P0 } } ${fragments.join(' ')}`;
  }
  const open = style === 'plain' ? 'parent { ' : '... on Folder { parent { ';
  const close = style === 'plain' ? ' }' : ' } }';
  return `{ folders { ${open.repeat(parents)}id${close.repeat(parents)} } }`;
}

describe('deep operations', () => {
  const cases = fc.record({
    parents: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 200, max: 2_500 })),
    style: fc.constantFrom('plain' as const, 'inline' as const, 'named' as const),
  });
  it('answers up to depth 15 and refuses anything deeper', async () => {
    await check('deep queries', cases, 20, async ({ parents, style }) => {
      const query = deepQuery(style === 'named' ? Math.min(parents, 400) : parents, style);
      const depth = (style === 'named' ? Math.min(parents, 400) : parents) + 2;
      const outcome = await send(query);
      if (depth <= MAX_DEPTH) expect(expectAccepted(outcome)).toEqual({ folders: [] });
      else expectRefused(outcome, 'QUERY_TOO_COMPLEX', [400]);
    });
  });
});

describe('wide operations', () => {
  const cases = fc.record({
    rootFields: fc.integer({ min: 1, max: 120 }),
    fieldsEach: fc.integer({ min: 1, max: 200 }),
  });
  it('answers up to 20 root fields and refuses more, however wide each is', async () => {
    await check('wide queries', cases, 15, async ({ rootFields, fieldsEach }) => {
      const query = `{ ${`topics { ${'id name '.repeat(fieldsEach)}} `.repeat(rootFields)}}`;
      const tokens = rootFields * (fieldsEach * 2 + 3) + 2;
      const outcome = await send(query);
      if (tokens > 15_000) expectLimit(outcome, 'tokens');
      else if (rootFields > MAX_ROOT_FIELDS) expectLimit(outcome, 'rootFields');
      // Many copies of one field cost graphql-js's own validation budget: refused or answered.
      else if (outcome.body.errors) expectLimit(outcome, 'validation');
      else expectAccepted(outcome);
    });
  });
});

describe('alias bombs', () => {
  const direct = fc.record({
    kind: fc.constant('direct' as const),
    aliases: fc.integer({ min: 0, max: 3_000 }),
  });
  // A chain of fragments, each spreading the next one twice: 2^levels copies of the last one's aliases.
  const fragmentBomb = fc.record({
    kind: fc.constant('fragments' as const),
    levels: fc.integer({ min: 1, max: 40 }),
    aliases: fc.integer({ min: 1, max: 3 }),
  });
  it('answers up to 30 aliases, counting every spread of a fragment, and refuses more', async () => {
    await check('alias bombs', fc.oneof(direct, fragmentBomb), 20, async (bomb) => {
      const leaf = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: id`).join(' ');
      let query: string;
      let aliases: number;
      if (bomb.kind === 'direct') {
        query = `{ topics { id ${leaf(bomb.aliases)} } }`;
        aliases = bomb.aliases;
      } else {
        const chain = Array.from(
          { length: bomb.levels },
          (_, i) => `fragment F${i} on Topic { ...F${i + 1} ...F${i + 1} }`,
        );
        query = `{ topics { ...F0 } } ${chain.join(' ')} fragment F${bomb.levels} on Topic { ${leaf(bomb.aliases)} }`;
        aliases = bomb.aliases * 2 ** bomb.levels;
      }
      const outcome = await send(query);
      if (aliases > MAX_ALIASES) expectLimit(outcome, 'aliases');
      else expectAccepted(outcome);
    });
  });

  it('refuses an alias bomb over several root fields', async () => {
    const query = `{ ${Array.from({ length: 31 }, (_, i) => `d${i}: documents { totalCount }`).join(' ')} }`;
    expectLimit(await send(query), 'aliases');
  });
});

describe('token floods', () => {
  const cases = fc.oneof(
    // Tokens over the limit: a field repeated, an argument list, a long list value.
    fc
      .integer({ min: 15_001, max: 60_000 })
      .map((n) => ({ query: `{ topics { ${'id '.repeat(n)}} }`, refused: true })),
    fc.integer({ min: 7_600, max: 30_000 }).map((n) => ({
      query: `{ documents(filter: { status: [${'UPLOADED, '.repeat(n)}] }) { totalCount } }`,
      refused: n + 14 > 15_000,
    })),
    // Comments and commas are not tokens: a query padded with them is as small as it looks.
    fc
      .integer({ min: 1, max: 900_000 })
      .map((n) => ({ query: `# ${'x'.repeat(n)}\n{ topics { id } }`, refused: false })),
    fc
      .integer({ min: 1, max: 400_000 })
      .map((n) => ({ query: `{ topics { id${','.repeat(n)} } }`, refused: false })),
  );
  it('refuses more than 15000 tokens, whatever pads the query', async () => {
    await check('token floods', cases, 12, async ({ query, refused }) => {
      const outcome = await send(query);
      if (refused) expectLimit(outcome, 'tokens');
      else expectAccepted(outcome);
    });
  });
});

describe('afterwards', () => {
  it('leaves every dependency healthy', async () => {
    await hostile.expectHealthy();
  });
});
