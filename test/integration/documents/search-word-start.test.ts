import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';

// docuvault_word_start (migrations/2026-12-06T04-00-00-search-word-starts-in-growing-parts.sql)
// looks for needles in parts of a text that grow (4 KB, then 16 KB, …) so that a needle the text
// does not hold costs a part, not the whole text. Its answer must not depend on the parts: the
// first place at or after `from` where a word starts with a needle, each needle giving up after
// `budget` places inside words. Checked against that definition, written here the plain way.

const BOUNDARIES = [4096, 4096 + 16_384];

/**
 * The definition: per needle, its first `budget` places from `from`; the first not inside a word.
 * Inside: the character before is a letter, digit or underscore, as the database's character
 * classes say (`wordCharacter`: under the C locale only ASCII ones are).
 */
function firstWordStart(
  text: Buffer,
  needles: Buffer[],
  from: number,
  budget: number,
  wordCharacter: (character: string) => boolean,
): number {
  let best = 0;
  for (const needle of needles) {
    let passed = 0;
    for (
      let at = text.indexOf(needle, from - 1);
      at >= 0 && passed < budget;
      at = text.indexOf(needle, at + 1)
    ) {
      const before =
        at === 0 ? ' ' : new TextDecoder().decode(text.subarray(Math.max(0, at - 4), at)).slice(-1);
      if (wordCharacter(before)) {
        passed += 1;
        continue;
      }
      if (best === 0 || at + 1 < best) best = at + 1;
      break;
    }
  }
  return best;
}

/** The characters of the generated texts that are not ASCII. */
const NON_ASCII = ['é', 'ï', 'Ü', '\u00a0'];

describe('search highlights: where a word starts, looked for in growing parts', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let wordCharacter: (character: string) => boolean;

  beforeAll(async () => {
    database = await migratedTestDatabase('word-start');
    client = new pg.Client({ connectionString: database.adminUrl });
    await client.connect();
    const { rows } = await client.query<{ c: string; word: boolean }>(
      `select c, c ~ '[[:alnum:]_]' as word from unnest($1::text[]) as u(c)`,
      [NON_ASCII],
    );
    const databaseSays = new Map(rows.map(({ c, word }) => [c, word]));
    wordCharacter = (character) =>
      character.charCodeAt(0) < 128 ? /[A-Za-z0-9_]/.test(character) : databaseSays.get(character)!;
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  async function wordStart(text: string, needles: string[], from: number, budget: number): Promise<number> {
    const { rows } = await client.query<{ at: number }>(
      `select docuvault_word_start(convert_to($1, 'UTF8'),
                (select array_agg(convert_to(n, 'UTF8') order by o) from unnest($2::text[]) with ordinality u(n, o)),
                $3, $4) as at`,
      [text, needles, from, budget],
    );
    return rows[0]!.at;
  }

  it('finds a word that straddles the end of a part, and one only a later part holds', async () => {
    for (const boundary of BOUNDARIES) {
      for (const shift of [-3, -1, 0, 1]) {
        const text = `${'x'.repeat(boundary + shift - 2)} system and more`;
        const expected = boundary + shift;
        expect(await wordStart(text, ['SYSTEM', 'System', 'system'], 1, 50)).toBe(expected);
      }
    }
  });

  it('counts the budget per needle across parts', async () => {
    const inside = Array.from({ length: 1500 }, () => 'subsystem').join(' '); // ~15 KB of places inside words
    const text = `${inside} system`;
    expect(await wordStart(text, ['system'], 1, 50)).toBe(0);
    expect(await wordStart(text, ['system'], 1, 1501)).toBe(Buffer.byteLength(inside) + 2);
  });

  it('answers as the definition does, for any text, needles, start and budget', async () => {
    const word = fc.constantFrom(
      'system',
      'systemd',
      'subsystem',
      'System',
      'SYSTEM',
      'systems',
      'é',
      'ésystem',
      '\u00a0system',
      'x'.repeat(700),
      'the',
      'lib',
      'library',
      'librari',
      'Ünïcode',
      '_system',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { maxLength: 400 }),
        fc.subarray(['system', 'System', 'SYSTEM', 'librari', 'ünï', 'Ünï'], { minLength: 1 }),
        fc.integer({ min: 1, max: 30_000 }),
        fc.integer({ min: 1, max: 60 }),
        async (words, needles, from, budget) => {
          const text = words.join(' ');
          const expected = firstWordStart(
            Buffer.from(text),
            needles.map((n) => Buffer.from(n)),
            from,
            budget,
            wordCharacter,
          );
          expect(await wordStart(text, needles, from, budget)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
