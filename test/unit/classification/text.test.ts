import { describe, expect, it } from '@jest/globals';
import { extractDocxText } from '@docuvault/documents/classification/text/docx';
import { UnreadableDocumentError } from '@docuvault/documents/classification/text/extraction.errors';
import { extractPdfText } from '@docuvault/documents/classification/text/pdf';
import { decodeText, detectCharset } from '@docuvault/documents/classification/text/plain-text';
import { capUtf8, TextSink } from '@docuvault/documents/classification/text/text-sink';
import { buildDocx, utf16be, utf16le } from '../../fixtures/docx.ts';
import { buildPdf, corruptPdf, textPdf } from '../../fixtures/pdf.ts';

const never = new AbortController().signal;

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
    expect(await extractPdfText(new Uint8Array(pdf), sink, never)).toEqual({ pages: 2, pagesWithText: 2 });
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
    await extractDocxText(buildDocx(['Hello <world> & co', 'Second']), sink);
    expect(sink.text()).toBe('Hello <world> & co\n\nSecond');
  });

  it('refuses a file that is not a Word document', async () => {
    await expect(
      extractDocxText(Buffer.from('PK\u0003\u0004 not really'), new TextSink(100)),
    ).rejects.toMatchObject({
      code: 'CORRUPT_DOCX',
    });
  });
});
