import { describe, expect, it } from '@jest/globals';
import { extractDocxText } from '@docuvault/documents/classification/text/docx';
import { UnreadableDocumentError } from '@docuvault/documents/classification/text/extraction.errors';
import { extractPdfText } from '@docuvault/documents/classification/text/pdf';
import { decodeText, detectCharset } from '@docuvault/documents/classification/text/plain-text';
import { capUtf8, TextSink } from '@docuvault/documents/classification/text/text-sink';
import { buildDocx, utf16be, utf16le } from '../../fixtures/docx.ts';
import { buildPdf, corruptPdf, textPdf } from '../../fixtures/pdf.ts';
import { deflatedDocx, ratioBombDocx } from '../../hostile/hostile-files.ts';

const never = new AbortController().signal;
const zipLimits = { maxUnzippedBytes: 128 * 1024 * 1024, maxRatio: 100 };
const paragraphs = (texts: readonly string[]) =>
  texts.map((text) => Buffer.from(`<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`));

describe('the text cap', () => {
  it('cuts at a character boundary, never inside a multi-byte character', () => {
    expect(capUtf8('ab€cd', 4)).toBe('ab'); // € is 3 bytes: 'ab€' would need 5
    expect(capUtf8('ab€cd', 5)).toBe('ab€');
    expect(capUtf8('😀😀', 5)).toBe('😀');
    expect(capUtf8('short', 100)).toBe('short');
  });

  it('stops collecting at the limit and says it is full', () => {
    const sink = new TextSink(10);
    expect(sink.append('12345')).toBe(true);
    expect(sink.append('678901234')).toBe(false);
    expect(sink.text()).toBe('1234567890');
    expect(sink.isFull).toBe(true);
    expect(sink.append('more')).toBe(false);
  });

  it('removes NUL and other control characters PostgreSQL text cannot or should not hold', () => {
    const sink = new TextSink(100);
    sink.append('a\u0000b\r\nc\u0007d\te');
    expect(sink.text()).toBe('a b\nc d\te');
  });
});

describe('charset detection', () => {
  it('follows a byte-order mark', () => {
    expect(detectCharset(utf16le('hi')).charset).toBe('utf-16le');
    expect(detectCharset(utf16be('hi')).charset).toBe('utf-16be');
    expect(detectCharset(Buffer.from('\ufeffhi', 'utf8'))).toEqual({ charset: 'utf-8', bomLength: 3 });
  });

  it('decodes UTF-16 in both byte orders and UTF-8, dropping the mark', () => {
    expect(decodeText(utf16le('Grüße → 😀'))).toBe('Grüße → 😀');
    expect(decodeText(utf16be('Grüße → 😀'))).toBe('Grüße → 😀');
    expect(decodeText(Buffer.from('\ufeffGrüße', 'utf8'))).toBe('Grüße');
  });

  it('reads bytes that are not UTF-8 as Latin-1', () => {
    // 0x80 is € in windows-1252, the superset of Latin-1 that Windows writes.
    const latin1 = Buffer.concat([Buffer.from('Café crème, 10 ', 'latin1'), Buffer.from([0x80])]);
    expect(detectCharset(latin1).charset).toBe('windows-1252');
    expect(decodeText(latin1)).toBe('Café crème, 10 €');
  });

  it('keeps UTF-8 whose last character a partial read cut in half', () => {
    const bytes = Buffer.from('naïve €', 'utf8');
    const cut = bytes.subarray(0, bytes.length - 1);
    expect(detectCharset(cut).charset).toBe('utf-8');
    expect(decodeText(cut)).toBe('naïve ');
  });
});

describe('PDF text', () => {
  it('reads every page in order', async () => {
    const sink = new TextSink(10_000);
    const pdf = buildPdf([{ lines: ['First page (one)'] }, { lines: ['Second page', 'two lines'] }]);
    expect(await extractPdfText(new Uint8Array(pdf), sink, never)).toEqual({
      pages: 2,
      pagesWithText: 2,
      withoutText: [],
    });
    expect(sink.text()).toBe('First page (one)\n\nSecond page\ntwo lines');
  });

  it('stops reading pages once the cap is reached', async () => {
    const sink = new TextSink(40);
    const pdf = buildPdf(
      Array.from({ length: 50 }, (_, i) => ({ lines: [`page ${i} has some words on it`] })),
    );
    await extractPdfText(new Uint8Array(pdf), sink, never);
    expect(Buffer.byteLength(sink.text())).toBeLessThanOrEqual(40);
    expect(sink.isFull).toBe(true);
  });

  it('reports a scan as pages without text', async () => {
    const sink = new TextSink(1_000);
    expect(await extractPdfText(new Uint8Array(buildPdf([{ image: true }])), sink, never)).toEqual({
      pages: 1,
      pagesWithText: 0,
      withoutText: [{ number: 1, widthPt: 612, heightPt: 792, rotate: 0 }],
    });
    expect(sink.text()).toBe('');
  });

  it('refuses a password-protected PDF as unreadable, with a reason a person understands', async () => {
    const pdf = buildPdf([{ lines: ['secret'] }], { passwordProtected: true });
    const attempt = extractPdfText(new Uint8Array(pdf), new TextSink(1_000), never);
    await expect(attempt).rejects.toBeInstanceOf(UnreadableDocumentError);
    await expect(attempt).rejects.toMatchObject({
      code: 'ENCRYPTED_PDF',
      message: expect.stringMatching(/password-protected/),
    });
  });

  it('refuses a corrupt PDF as unreadable', async () => {
    await expect(
      extractPdfText(new Uint8Array(corruptPdf()), new TextSink(1_000), never),
    ).rejects.toMatchObject({
      code: 'CORRUPT_PDF',
    });
  });

  it('refuses a PDF of more pages than the cap before reading any page', async () => {
    const sink = new TextSink(1_000);
    const pdf = buildPdf([{ lines: ['one'] }, { lines: ['two'] }, { lines: ['three'] }]);
    await expect(extractPdfText(new Uint8Array(pdf), sink, never, 2)).rejects.toMatchObject({
      code: 'TOO_MANY_PAGES',
      message: expect.stringMatching(/has 3 pages; documents of more than 2 pages are not read/),
    });
    expect(sink.text()).toBe('');
  });

  it('stops when the job is cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(
      extractPdfText(new Uint8Array(textPdf('hello')), new TextSink(1_000), controller.signal),
    ).rejects.toThrow('shutting down');
  });
});

describe('DOCX text', () => {
  it('reads paragraphs', async () => {
    const sink = new TextSink(1_000);
    await extractDocxText(buildDocx(['Hello <world> & co', 'Second']), sink, zipLimits);
    expect(sink.text()).toBe('Hello <world> & co\n\nSecond');
  });

  it('keeps tabs and line breaks of runs, not the tab stops of paragraph properties', async () => {
    const sink = new TextSink(1_000);
    const body = Buffer.from(
      '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>' +
        '<w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t xml:space="preserve">c </w:t></w:r></w:p>' +
        '<w:p><w:r><w:delText>deleted</w:delText><w:instrText>PAGE</w:instrText><w:t>d</w:t></w:r></w:p>',
    );
    await extractDocxText(await deflatedDocx(() => [body]), sink, zipLimits);
    expect(sink.text()).toBe('a\tb\nc \n\nd');
  });

  it('reads one version of alternate content (its fallback), not both', async () => {
    const sink = new TextSink(1_000);
    const body = Buffer.from(
      '<w:p><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">' +
        '<mc:Choice Requires="wps"><w:p><w:r><w:t>boxed</w:t></w:r></w:p></mc:Choice>' +
        '<mc:Fallback><w:p><w:r><w:t>boxed</w:t></w:r></w:p></mc:Fallback>' +
        '</mc:AlternateContent></w:r></w:p>',
    );
    await extractDocxText(await deflatedDocx(() => [body]), sink, zipLimits);
    expect(sink.text()).toBe('boxed');
  });

  it('refuses an entry compressed beyond the ratio cap before inflating it', async () => {
    const sink = new TextSink(1_000);
    await expect(extractDocxText(await ratioBombDocx(8), sink, zipLimits)).rejects.toMatchObject({
      code: 'ZIP_BOMB',
      message: expect.stringMatching(/word\/document.xml is compressed more than 100 to 1/),
    });
    expect(sink.text()).toBe('');
  });

  it('refuses an entry that unpacks past the size cap', async () => {
    const limits = { maxUnzippedBytes: 1024 * 1024, maxRatio: 100_000 };
    await expect(extractDocxText(await ratioBombDocx(2), new TextSink(1_000), limits)).rejects.toMatchObject({
      code: 'ZIP_BOMB',
      message: expect.stringMatching(/unpacks to more than 1 MB/),
    });
  });

  it('refuses a zip that declares fewer bytes than its entry inflates to', async () => {
    const docx = await deflatedDocx(() => paragraphs(['a'.repeat(5_000)]), { understateSizeBy: 4_000 });
    await expect(extractDocxText(docx, new TextSink(100_000), zipLimits)).rejects.toMatchObject({
      code: 'CORRUPT_DOCX',
    });
  });

  it('stops unpacking once the text cap is reached: what follows is never parsed', async () => {
    const sink = new TextSink(1_000);
    // Broken XML far past the cap: reading it would fail the document.
    const docx = await deflatedDocx(() => [
      ...paragraphs(Array.from({ length: 20_000 }, (_, i) => `paragraph ${i}`)),
      Buffer.from('<w:p><<not xml'),
    ]);
    await extractDocxText(docx, sink, zipLimits);
    expect(sink.isFull).toBe(true);
    expect(sink.text()).toMatch(/^paragraph 0\n\nparagraph 1\n\n/);
  });

  it('refuses a file that is not a Word document', async () => {
    await expect(
      extractDocxText(Buffer.from('PK\u0003\u0004 not really'), new TextSink(100), zipLimits),
    ).rejects.toMatchObject({
      code: 'CORRUPT_DOCX',
    });
  });
});
