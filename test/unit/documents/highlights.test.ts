import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MATCH_END, MATCH_START, PASSAGE_BREAK } from '@docuvault/documents/documents/highlights.repository';
import { toHighlights, toLegacySnippet } from '@docuvault/documents/documents/highlights';
import { parseDocumentFilter } from '@docuvault/documents/documents/search-filters';

// ts_headline's output as the database answers it (marks are private-use characters), turned
// into highlights; the database side is tested in test/integration/documents/search-highlights.

const marked = (word: string) => `${MATCH_START}${word}${MATCH_END}`;

describe('search highlights', () => {
  it('gives the title first, then each passage of the text that holds a match', () => {
    const highlights = toHighlights({
      title: `${marked('Tax')} return`,
      body: [
        `the ${marked('tax')} office`,
        'no match here',
        `pay ${marked('tax')} and ${marked('tax')}`,
      ].join(PASSAGE_BREAK),
    });
    expect(highlights).toEqual([
      {
        field: 'TITLE',
        snippet: '<mark>Tax</mark> return',
        text: 'Tax return',
        matches: [{ start: 0, end: 3 }],
      },
      {
        field: 'TEXT',
        snippet: 'the <mark>tax</mark> office',
        text: 'the tax office',
        matches: [{ start: 4, end: 7 }],
      },
      {
        field: 'TEXT',
        snippet: 'pay <mark>tax</mark> and <mark>tax</mark>',
        text: 'pay tax and tax',
        matches: [
          { start: 4, end: 7 },
          { start: 12, end: 15 },
        ],
      },
    ]);
  });

  it('answers no highlight for a field whose headline has no match (ts_headline then shows its start)', () => {
    expect(toHighlights({ title: 'Letter', body: 'the first words of the text' })).toEqual([]);
    expect(toHighlights(undefined)).toEqual([]);
  });

  it('escapes every character HTML gives a meaning to, and leaves the plain text as it is', () => {
    const [highlight] = toHighlights({ title: `<a href="x">'${marked('R&D')}'</a>`, body: '' });
    expect(highlight).toEqual({
      field: 'TITLE',
      snippet: '&lt;a href=&quot;x&quot;&gt;&#39;<mark>R&amp;D</mark>&#39;&lt;/a&gt;',
      text: `<a href="x">'R&D'</a>`,
      matches: [{ start: 13, end: 16 }],
    });
  });

  it('keeps <mark> the only tag and every range inside the text, whatever the headline holds', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom(MATCH_START, MATCH_END, PASSAGE_BREAK, '<', '>', '&', '"', "'", '🧾'),
    );
    const headline = fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(headline, headline, (title, body) => {
        for (const { snippet, text, matches } of toHighlights({ title, body })) {
          expect(snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
          const length = [...text].length;
          for (const { start, end } of matches) {
            expect(0 <= start && start < end && end <= length).toBe(true);
          }
        }
      }),
    );
  });

  it('keeps the deprecated snippet: text passages joined by an ellipsis, else the title, in <b>', () => {
    expect(
      toLegacySnippet({ title: 'Notes', body: `a ${marked('b')}${PASSAGE_BREAK}c ${marked('d')}` }),
    ).toBe('a <b>b</b> … c <b>d</b>');
    expect(toLegacySnippet({ title: `${marked('Notes')} & more`, body: 'start of the text' })).toBe(
      '<b>Notes</b> &amp; more',
    );
    expect(toLegacySnippet({ title: '', body: '   ' })).toBeNull();
  });
});

describe('the document filter, before the database', () => {
  const refusal = (input: Record<string, unknown>) => {
    try {
      parseDocumentFilter(input);
    } catch (error) {
      return { code: (error as { code?: string }).code, details: (error as { details?: unknown }).details };
    }
    return undefined;
  };

  it.each([
    [
      'a range that ends before it starts',
      { createdAfter: new Date('2026-02-01'), createdBefore: new Date('2026-01-01') },
      'filter.createdBefore',
    ],
    [
      'a range that holds no instant',
      { createdAfter: new Date('2026-02-01'), createdBefore: new Date('2026-02-01') },
      'filter.createdBefore',
    ],
    ['includeSubfolders without a folder', { includeSubfolders: true }, 'filter.includeSubfolders'],
    ['a folder id that is no UUID', { folderId: 'not-a-uuid' }, 'filter.folderId'],
    ['an empty topic id', { topicId: '' }, 'filter.topicId'],
    ['51 MIME types', { mimeType: Array.from({ length: 51 }, (_, i) => `type/${i}`) }, 'filter.mimeType'],
  ])('refuses %s as BAD_USER_INPUT naming the argument', (_name, input, argument) => {
    expect(refusal(input)).toEqual({ code: 'BAD_USER_INPUT', details: { argument } });
  });

  it('lower-cases MIME types, drops repeats and reads a missing includeSubfolders or sharedWithMe as false', () => {
    expect(
      parseDocumentFilter({
        mimeType: ['Application/PDF', 'application/pdf '],
        textSource: ['OCR', 'OCR', 'MIXED'],
        folderId: 'C0DA4036-8AAC-4B82-AF38-891C1294D5F1',
      }),
    ).toEqual({
      includeSubfolders: false,
      mimeTypes: ['application/pdf'],
      textSources: ['OCR', 'MIXED'],
      folderId: 'c0da4036-8aac-4b82-af38-891c1294d5f1',
      status: undefined,
      topicId: undefined,
      createdAfter: undefined,
      createdBefore: undefined,
      text: undefined,
      sharedWithMe: false,
    });
  });
});
