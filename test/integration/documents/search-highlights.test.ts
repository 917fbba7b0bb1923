import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { recordStatements } from '../../support/sql-recorder.ts';
import { seedDocument, seedDocuments } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

// Highlights of search hits (#19.6): which field matched, the passage as safe HTML, the same
// passage as plain text with code-point offsets; computed for the returned page only.

interface Highlight {
  field: 'TITLE' | 'TEXT';
  snippet: string;
  text: string;
  matches: { start: number; end: number }[];
}

interface Edge {
  snippet: string | null;
  highlights: Highlight[];
  node: { id: string };
}

const SEARCH = `query Search($query: String!, $first: Int) {
  search(query: $query, first: $first) {
    edges { snippet highlights { field snippet text matches { start end } } node { id } }
  }
}`;

/** What each range of `text` covers, as a client would cut it (by code points). */
const matchedWords = (highlight: Highlight): string[] =>
  highlight.matches.map(({ start, end }) => [...highlight.text].slice(start, end).join(''));

describe('documents: search highlights', () => {
  let subgraph: DocumentsTestServer;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-search-highlights');
    const seed = async (key: string, title: string, extractedText: string | null) => {
      ids[key] = (await seedDocument(subgraph.admin, { title, extractedText })).id;
    };
    await seed('title', 'Invoice from ACME', 'payment terms: thirty days');
    await seed('body', 'Monday notes', 'we paid the invoice on monday after lunch with the team');
    await seed('both', 'Invoice archive', 'every invoice of last year, and each invoice of this one');
    await seed(
      'hostile',
      'Scraped <script>alert(1)</script> invoice',
      'before <img src=x onerror=alert(1)> the invoice & "more"',
    );
    // The private-use characters our marks are made of, written by the document itself.
    await seed('forged', '\uE000forged\uE001 invoice', 'a \uE000fake\uE001 mark \uE002 then the invoice');
    await seed('emoji', 'Emoji', 'invoice 🧾🧾 x invoice');
    const filler = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    await seed('far', 'Long letter', `invoice opening ${filler} and the invoice again at the end`);
    // Matches only far past the first part of the text a search looks in (HEAD_WINDOW characters).
    const words = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => `word${from + i}`).join(' ');
    await seed('deep', 'Deep letter', `${words(0, 3000)} the narwhal surfaces ${words(3000, 3000)} sea lion`);
    // A word that starts like the query's (systemd) before the one that matches.
    await seed('prefix', 'Boot notes', `systemd starts first ${filler} and then the system boots`);
    // English, so the index holds the stem (librari), which the word (library) does not start with.
    const garden = 'the keeper of the old house walks through the garden every morning and '.repeat(40);
    await seed('stem', 'Morning walk', `${garden} then the library opens its doors for the readers`);
    // A lexeme with a character a regular expression would read as an operator.
    await seed('dotted', 'Runtime notes', `${filler} we moved the service to node.js last spring`);
    // Past a head of multi-byte characters (a 🧾 is four bytes): a word that only ends in the
    // query word after a letter of two bytes (ß), then the word itself, with a capital, after a
    // no-break space.
    await seed(
      'multibyte',
      'Harbour log',
      `${'Grüße aus Köln 🧾 '.repeat(200)} der Großwalrus schläft, x the\u00A0Walrus dives ${'🧾ü'.repeat(300)}`,
    );
    await seedDocuments(subgraph.admin, {
      count: 12,
      titlePrefix: 'Zebra',
      extractedText: 'a zebra crossing',
    });
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  async function hits(query: string, first = 100): Promise<Map<string, Edge>> {
    const response = await subgraph.graphql<{ search: { edges: Edge[] } }>(SEARCH, { query, first });
    expect(response.errors).toBeUndefined();
    return new Map(response.data!.search.edges.map((edge) => [edge.node.id, edge]));
  }

  it('names the title as the field that matched, with the whole title marked', async () => {
    const edge = (await hits('invoice')).get(ids.title!)!;
    expect(edge.highlights).toEqual([
      {
        field: 'TITLE',
        snippet: '<mark>Invoice</mark> from ACME',
        text: 'Invoice from ACME',
        matches: [{ start: 0, end: 7 }],
      },
    ]);
  });

  it('names the text as the field that matched, with a short passage around the match', async () => {
    const [highlight, ...rest] = (await hits('invoice')).get(ids.body!)!.highlights;
    expect(rest).toEqual([]);
    expect(highlight).toMatchObject({ field: 'TEXT' });
    expect(highlight!.snippet).toContain('paid the <mark>invoice</mark> on monday');
    expect(matchedWords(highlight!)).toEqual(['invoice']);
  });

  it('gives the title first, then the text, when both match; every match marked', async () => {
    const highlights = (await hits('invoice')).get(ids.both!)!.highlights;
    expect(highlights.map((highlight) => highlight.field)).toEqual(['TITLE', 'TEXT']);
    expect(matchedWords(highlights[1]!)).toEqual(['invoice', 'invoice']);
  });

  it('finds the passage of a long text whose only match lies far from its start', async () => {
    const [highlight] = (await hits('narwhal')).get(ids.deep!)!.highlights;
    expect(highlight).toMatchObject({ field: 'TEXT' });
    expect(highlight!.snippet).toContain('the <mark>narwhal</mark> surfaces');
  });

  it('passes over a word that only starts like the query word to the one that matches', async () => {
    const [highlight] = (await hits('system')).get(ids.prefix!)!.highlights;
    expect(highlight).toMatchObject({ field: 'TEXT' });
    expect(matchedWords(highlight!)).toEqual(['system']);
  });

  it('finds a match whose stem the word does not start with (library, librari)', async () => {
    const [highlight] = (await hits('libraries')).get(ids.stem!)!.highlights;
    expect(highlight).toMatchObject({ field: 'TEXT' });
    expect(matchedWords(highlight!)).toEqual(['library']);
  });

  it('finds a lexeme holding characters a regular expression treats as operators', async () => {
    const [highlight] = (await hits('node.js')).get(ids.dotted!)!.highlights;
    expect(highlight).toMatchObject({ field: 'TEXT' });
    expect(matchedWords(highlight!)).toEqual(['node.js']);
  });

  it('finds a far match among multi-byte characters, written with a capital, cut at characters', async () => {
    const [highlight, ...rest] = (await hits('walrus')).get(ids.multibyte!)!.highlights;
    expect(rest).toEqual([]);
    expect(highlight).toMatchObject({ field: 'TEXT' });
    expect(matchedWords(highlight!)).toEqual(['Walrus']);
    expect(highlight!.snippet).toContain('<mark>Walrus</mark> dives');
    // No character is cut in two (an invalid sequence would fail the whole search).
    expect(highlight!.text).not.toContain('\uFFFD');
  });

  it('cuts a passage of a text at character boundaries wherever in the text the match lies', async () => {
    // From every character of a text of one-, two-, three- and four-byte characters: the window
    // is valid UTF-8, a part of the text, and loses at most a character's tail at either end.
    const text = 'aé€🧾'.repeat(20);
    const { rows } = await subgraph.admin.query<{ at: number; window: string }>(
      `select g.at, docuvault_byte_window(convert_to($1, 'UTF8'), g.at, 7, 16) as window
       from generate_series(1, octet_length($1)) as g(at)
       where get_byte(convert_to($1, 'UTF8'), g.at - 1) not between 128 and 191`,
      [text],
    );
    expect(rows).toHaveLength([...text].length);
    for (const { window } of rows) {
      expect(window.length).toBeGreaterThan(0);
      expect(text).toContain(window);
      expect(Buffer.byteLength(window)).toBeLessThanOrEqual(16);
      expect(Buffer.byteLength(window)).toBeGreaterThanOrEqual(16 - 2 * 3);
    }
  });

  it('marks a word of a two-word query where no passage holds both words', async () => {
    const [highlight] = (await hits('narwhal lion')).get(ids.deep!)!.highlights;
    expect(highlight).toMatchObject({ field: 'TEXT' });
    expect(matchedWords(highlight!)).toEqual(['narwhal']);
  });

  it('gives two passages of a long text whose matches are far apart', async () => {
    const highlights = (await hits('invoice')).get(ids.far!)!.highlights;
    expect(highlights.map((highlight) => highlight.field)).toEqual(['TEXT', 'TEXT']);
    expect(highlights.flatMap(matchedWords)).toEqual(['invoice', 'invoice']);
    for (const highlight of highlights) expect(highlight.text.split(' ').length).toBeLessThanOrEqual(35);
  });

  it('escapes the document around the marks: <mark> is the only tag a snippet holds', async () => {
    const highlights = (await hits('invoice')).get(ids.hostile!)!.highlights;
    expect(highlights.map((highlight) => highlight.field)).toEqual(['TITLE', 'TEXT']);
    expect(highlights[0]!.snippet).toBe('Scraped &lt;script&gt;alert(1)&lt;/script&gt; <mark>invoice</mark>');
    expect(highlights[1]!.snippet).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(highlights[1]!.snippet).toContain('<mark>invoice</mark> &amp; &quot;more');
    for (const { snippet, text } of highlights) {
      expect(snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
      // The plain text is the document's own words, unescaped.
      expect(text).toContain('<');
    }
  });

  it('marks nothing the document wrote itself, even in the characters marks are made of', async () => {
    const edge = (await hits('invoice')).get(ids.forged!)!;
    expect(edge.highlights.map(matchedWords)).toEqual([['invoice'], ['invoice']]);
    for (const { snippet } of edge.highlights) expect(snippet.match(/<mark>/g)).toHaveLength(1);
    expect(edge.snippet?.match(/<b>/g)).toHaveLength(1);
  });

  it('counts offsets in code points, so characters beyond the BMP do not shift them', async () => {
    const [highlight] = (await hits('invoice')).get(ids.emoji!)!.highlights;
    expect(highlight!.text).toBe('invoice 🧾🧾 x invoice');
    // Each 🧾 is one code point and two UTF-16 units: the second match starts at 13, not 15.
    expect(highlight!.matches).toEqual([
      { start: 0, end: 7 },
      { start: 13, end: 20 },
    ]);
    expect(matchedWords(highlight!)).toEqual(['invoice', 'invoice']);
  });

  it('keeps the deprecated snippet as it was: the text passage, matches in <b>', async () => {
    const found = await hits('invoice');
    expect(found.get(ids.body!)!.snippet).toContain('paid the <b>invoice</b> on monday');
    expect(found.get(ids.title!)!.snippet).toBe('<b>Invoice</b> from ACME');
  });

  it('computes highlights for the returned page only, in one statement', async () => {
    const headlineCalls: unknown[][] = [];
    let recording = true;
    await recordStatements(subgraph.orm, ({ text, values }) => {
      if (recording && text.includes('ts_headline')) headlineCalls.push([...values]);
    });
    await hits('zebra', 5);
    recording = false;
    expect(headlineCalls).toHaveLength(1);
    const idLists = headlineCalls[0]!.filter(Array.isArray);
    expect(idLists).toEqual([expect.any(Array)]);
    expect(idLists[0]).toHaveLength(5);
  });

  it('runs no headline at all when the client asks for neither highlights nor snippet', async () => {
    const { queries } = await subgraph.recordQueries(() =>
      subgraph.graphql('{ search(query: "zebra", first: 5) { edges { node { id } } } }'),
    );
    expect(queries.some((text) => text.includes('ts_rank_cd'))).toBe(true);
    expect(queries.some((text) => text.includes('ts_headline'))).toBe(false);
  });

  it('answers no highlights in a listing', async () => {
    const response = await subgraph.graphql<{ documents: { edges: { snippet: null; highlights: [] }[] } }>(
      '{ documents(first: 3) { edges { snippet highlights { field } } } }',
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.documents.edges).toEqual([
      { snippet: null, highlights: [] },
      { snippet: null, highlights: [] },
      { snippet: null, highlights: [] },
    ]);
  });
});
