import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { multipartBody, type MultipartFile, type MultipartRequest } from '../support/multipart.ts';
import { createTestUser, type TestUser } from '../support/users.ts';
import { UPLOAD_MUTATION, uploadOperation } from '../integration/uploads/upload-stack.ts';
import { binaryFile, cleanedFilename, longFilename, traversalFilename } from './upload-arbitraries.ts';
import {
  check,
  expectAccepted,
  expectRefused,
  Hostile,
  printCounts,
  type Outcome,
} from './hostile-support.ts';

// Bad GraphQL multipart requests through the gateway: maps and parts that disagree,
// truncated bodies, files too large or not what they claim, filenames that try to climb
// out of their directory or run on for kilobytes. Refusals leave no row, object,
// unfinished S3 upload or temp file; accepted uploads are deleted through the API and
// must leave nothing either.

const MAX_BYTES = 64 * 1024;
const MAX_FILES = 3;
let hostile: Hostile;

beforeAll(async () => {
  hostile = await Hostile.start('hostile-multipart', {
    documents: { MAX_UPLOAD_BYTES: MAX_BYTES, MAX_FILES_PER_REQUEST: MAX_FILES },
    gateway: { MAX_UPLOAD_BYTES: String(MAX_BYTES), MAX_FILES_PER_REQUEST: String(MAX_FILES) },
  });
  owner = await createTestUser(hostile.stack.documents.admin);
});

afterAll(async () => {
  await hostile?.close();
  printCounts('multipart');
});

const uniqueText = () => `hostile upload ${randomUUID()}\n`;
/** A quoted-string parameter: busboy reads `\x` as `x`, so backslashes and quotes are escaped. */
const quoted = (filename: string) => filename.replace(/[\\"]/g, '\\$&');

interface Uploaded {
  id: string;
  originalFilename: string;
  mimeType: string;
  sha256: string;
}

const uploadedOf = (outcome: Outcome): Uploaded =>
  (expectAccepted(outcome) as { uploadDocument: { document: Uploaded } }).uploadDocument.document;

/** Sends an upload expected to be accepted; the document is deleted again before the comparison. */
async function acceptedUpload(
  request: MultipartRequest,
  check: (document: Uploaded) => Promise<void> | void,
) {
  await hostile.leavesNothing(() => hostile.multipart(request), {
    uploads: true,
    async tidy(outcome) {
      const document = uploadedOf(outcome);
      const { rows } = await hostile.stack.documents.admin.query<{ object_key: string }>(
        'select object_key from documents where id = $1',
        [document.id],
      );
      // The object key is ours alone: vault, document id, a UUID and the sniffed extension.
      expect(rows[0]?.object_key).toMatch(/^_anonymous\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.(txt|md)$/);
      await check(document);
      await hostile.deleteDocument(document.id);
    },
  });
}

const refusedUpload = (send: () => Promise<Outcome>) => hostile.leavesNothing(send, { uploads: true });

/** A signed-in user with a quota: a refusal must charge it nothing (leavesNothing compares the sums). */
let owner: TestUser;
const asOwner = () => ({ headers: owner.headers });

/** Refused as a whole: 400 (or 413), that error alone (no data), naming what is wrong. */
function expectWholeRefusal(outcome: Outcome, words: string, status = 400): void {
  expect(outcome.status).toBe(status);
  expect(outcome.body).toEqual({
    errors: [
      {
        message: expect.stringContaining(words),
        extensions: expect.objectContaining({ code: expect.any(String) }),
      },
    ],
  });
  expectRefused(outcome, status === 413 ? 'TOO_MANY_FILES' : 'BAD_USER_INPUT', [status]);
}

/** `uploadDocument` once per variable v0…vn, so each may name its own file. */
function severalUploads(count: number) {
  const variables = Array.from({ length: count }, (_, i) => `v${i}`);
  return {
    query: `mutation(${variables.map((v) => `$${v}: Upload!`).join(', ')}) { ${variables
      .map((v) => `${v}: uploadDocument(file: $${v}) { document { id } }`)
      .join(' ')} }`,
    variables: Object.fromEntries(variables.map((v) => [v, null])),
  };
}

describe('maps and parts that disagree', () => {
  const partName = fc.stringMatching(/^[a-z0-9]{1,8}$/);

  it('refuses a map naming parts the request does not carry with BAD_USER_INPUT', async () => {
    const cases = fc.record({
      keys: fc.uniqueArray(partName, { minLength: 1, maxLength: MAX_FILES }),
      others: fc.uniqueArray(
        partName.map((n) => `other-${n}`),
        { maxLength: 2 },
      ),
      badPath: fc.constantFrom(undefined, 'variables.nope', 'variables.v0.deeper', 'query', 'variables'),
    });
    await check('map naming missing parts', cases, 8, async ({ keys, others, badPath }) => {
      const operations = severalUploads(keys.length);
      const map = Object.fromEntries(
        keys.map((key, i) => [key, [i === 0 && badPath ? badPath : `variables.v${i}`]]),
      );
      const files = others.map((field) => ({ field, filename: 'other.txt', content: uniqueText() }));
      expectRefused(
        await refusedUpload(() => hostile.multipart({ operations, map, files })),
        'BAD_USER_INPUT',
      );
    });
  });

  it('refuses the whole request, naming the part, when a part the map names never comes', async () => {
    // The files that did come are sent first, and each would be stored on its own.
    const cases = fc.record({
      count: fc.integer({ min: 2, max: MAX_FILES }),
      missing: fc.nat(),
      size: fc.integer({ min: 1, max: 40_000 }),
    });
    await check('mapped part never sent', cases, 8, async ({ count, missing, size }) => {
      const absent = missing % count;
      const operations = severalUploads(count);
      const map = Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, [`variables.v${i}`]]));
      const files = Array.from({ length: count }, (_, i) => ({
        field: `f${i}`,
        filename: `part-${i}.txt`,
        content: `${uniqueText()}${'s'.repeat(size)}`,
      })).filter((_, i) => i !== absent);
      const outcome = await refusedUpload(() => hostile.multipart({ operations, map, files }, asOwner()));
      expectWholeRefusal(
        outcome,
        `the map names the file part ‘f${absent}’, which the request does not carry`,
      );
    });
  });

  it('refuses the whole request, naming the part, when a part is not in the map', async () => {
    const cases = fc.record({
      unmapped: partName.map((n) => `x${n}`),
      mappedFirst: fc.boolean(),
    });
    await check('part not in the map', cases, 8, async ({ unmapped, mappedFirst }) => {
      const mapped = { field: '0', filename: 'mapped.txt', content: uniqueText() };
      const extra = { field: unmapped, filename: `${unmapped}.txt`, content: uniqueText() };
      const files = mappedFirst ? [mapped, extra] : [extra, mapped];
      const outcome = await refusedUpload(() =>
        hostile.multipart({ ...uploadOperation(), files }, asOwner()),
      );
      expectWholeRefusal(outcome, `the file part ‘${unmapped}’ is not named in the map`);
    });
  });

  it('refuses the whole request when a part is sent twice under the same name', async () => {
    const cases = fc.integer({ min: 2, max: MAX_FILES });
    await check('duplicate part names', cases, 4, async (copies) => {
      const files = Array.from({ length: copies }, () => ({
        field: '0',
        filename: 'dup.txt',
        content: uniqueText(),
      }));
      const outcome = await refusedUpload(() =>
        hostile.multipart({ ...uploadOperation(), files }, asOwner()),
      );
      expectWholeRefusal(outcome, 'the file part ‘0’ is sent twice');
    });
  });

  it('refuses files that would go to two service calls, and keeps neither', async () => {
    // A storage mutation between two uploads splits them over two calls to the documents service.
    const operations = {
      query: `mutation($a: Upload!, $b: Upload!) {
        a: uploadDocument(file: $a) { document { id } }
        t: requestUpload(input: { filename: "x.txt", sizeBytes: 10, contentType: "text/plain" }) { id }
        b: uploadDocument(file: $b) { document { id } }
      }`,
      variables: { a: null, b: null },
    };
    const files = ['a', 'b'].map((field) => ({ field, filename: `${field}.txt`, content: uniqueText() }));
    const tickets = () => hostile.stack.documents.admin.query('select id from upload_tickets');
    const ticketsBefore = (await tickets()).rowCount;
    const outcome = await refusedUpload(() =>
      hostile.multipart({ operations, map: { a: ['variables.a'], b: ['variables.b'] }, files }, asOwner()),
    );
    expectWholeRefusal(outcome, 'would not go to the service with the others');
    // The storage mutation between them did not run either.
    expect((await tickets()).rowCount).toBe(ticketsBefore);
  });
});

describe('bodies cut short', () => {
  it('refuses a multipart body that ends early with BAD_USER_INPUT', async () => {
    const cases = fc.record({
      size: fc.integer({ min: 1, max: 4_000 }),
      cut: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    await check('truncated bodies', cases, 15, async ({ size, cut }) => {
      const { body, contentType } = multipartBody({
        ...uploadOperation(),
        files: [{ field: '0', filename: 'cut.txt', content: `${uniqueText()}${'t'.repeat(size)}` }],
      });
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const whole = Buffer.concat(chunks);
      // Anywhere before the delimiter after the file is whole: busboy takes a body that
      // ends right after that delimiter as complete, closing dashes or not.
      const boundary = /boundary=(.+)$/.exec(contentType)?.[1] ?? '';
      const at = 1 + Math.floor(cut * (whole.length - `\r\n--${boundary}--\r\n`.length));
      const outcome = await refusedUpload(() =>
        hostile.post(whole.subarray(0, at), {
          'content-type': contentType,
          'apollo-require-preflight': 'true',
        }),
      );
      expectRefused(outcome, 'BAD_USER_INPUT');
    });
  });
});

describe('files that are too large or not what they claim', () => {
  it('refuses a file over the limit with FILE_TOO_LARGE', async () => {
    await check(
      'oversize files',
      fc.integer({ min: MAX_BYTES + 1, max: MAX_BYTES + 256 * 1024 }),
      6,
      async (size) => {
        const content = Buffer.alloc(size, 'a');
        content.write(uniqueText());
        const request = { ...uploadOperation(), files: [{ field: '0', filename: 'big.txt', content }] };
        expectRefused(await refusedUpload(() => hostile.multipart(request)), 'FILE_TOO_LARGE');
      },
    );
  });

  it('refuses bytes whose sniffed type is not accepted, whatever type and name they claim', async () => {
    await check('declared type ≠ sniffed type', binaryFile, 12, async ({ bytes, declared, filename }) => {
      const file: MultipartFile = { field: '0', filename, contentType: declared, content: bytes };
      const outcome = await refusedUpload(() => hostile.multipart({ ...uploadOperation(), files: [file] }));
      expectRefused(outcome, bytes.length === 0 ? 'EMPTY_FILE' : 'UNSUPPORTED_TYPE');
    });
  });

  it('stores text that claims to be a PDF as the text it is', async () => {
    const cases = fc.constantFrom(
      ['claimed.pdf', 'application/pdf', 'text/plain'],
      ['notes.md', 'application/pdf', 'text/markdown'],
      [
        'report.docx',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'text/plain',
      ],
    );
    await check('declared type ≠ sniffed type', cases, 3, async ([filename, declared, sniffed]) => {
      const file = { field: '0', filename, contentType: declared, content: uniqueText() };
      await acceptedUpload({ ...uploadOperation(), files: [file] }, (document) =>
        expect(document.mimeType).toBe(sniffed),
      );
    });
  });
});

describe('filenames', () => {
  it('keeps only the last path segment of a filename that climbs directories', async () => {
    await check('path-traversal filenames', traversalFilename, 12, async (filename) => {
      const file = { field: '0', filename: quoted(filename), content: uniqueText() };
      await acceptedUpload({ ...uploadOperation(), files: [file] }, (document) => {
        expect(document.originalFilename).toBe(cleanedFilename(filename));
        expect(document.originalFilename).not.toMatch(/[\\/]/);
      });
    });
  });

  it('cuts a very long filename to 255 characters', async () => {
    await check('very long filenames', longFilename, 10, async (filename) => {
      const file = { field: '0', filename, content: uniqueText() };
      await acceptedUpload({ ...uploadOperation(), files: [file] }, (document) => {
        expect(document.originalFilename).toBe(cleanedFilename(filename));
        expect([...document.originalFilename]).toHaveLength(255);
      });
    });
  });

  const controlChar = fc.oneof(
    fc.integer({ min: 0x01, max: 0x1f }),
    fc.constant(0x7f),
    fc.integer({ min: 0x80, max: 0x9f }),
  );
  const percentEncoded = (name: string) => encodeURIComponent(name).replace(/'/g, '%27');

  it('refuses a filename holding a control character, naming the character', async () => {
    const cases = fc.record({ code: controlChar, at: fc.nat({ max: 6 }) });
    await check('control characters in filenames', cases, 12, async ({ code, at }) => {
      const name = `report.txt`;
      const filename = `${name.slice(0, at)}${String.fromCodePoint(code)}${name.slice(at)}`;
      // RFC 5987 `filename*`: how a client sends a name a quoted string cannot hold.
      const file = {
        field: '0',
        filename,
        disposition: `filename*=UTF-8''${percentEncoded(filename)}`,
        content: uniqueText(),
      };
      const hex = code.toString(16).toUpperCase().padStart(4, '0');
      const outcome = await refusedUpload(() => hostile.multipart({ ...uploadOperation(), files: [file] }));
      expectWholeRefusal(
        outcome,
        `The filename of the file part ‘0’ contains the control character U+${hex}`,
      );
    });
  });

  it('refuses a line break in a filename, encoded or raw, with a message about it', async () => {
    for (const [disposition, words] of [
      [`filename*=UTF-8''a%0D%0Ab.txt`, 'contains the control character U+000D'],
      [`filename*=UTF-8''a%0Ab.txt`, 'contains the control character U+000A'],
      // Raw in the header: busboy cannot read it, and the message says what usually causes that.
      ['filename="a\r\nb.txt"', 'control characters'],
      ['filename="soh\x01.txt"', 'control characters'],
    ] as const) {
      const file = { field: '0', filename: 'x', disposition, content: uniqueText() };
      const outcome = await refusedUpload(() => hostile.multipart({ ...uploadOperation(), files: [file] }));
      expectWholeRefusal(outcome, words);
    }
  });

  it('refuses an empty filename, saying it is empty rather than that the file is missing', async () => {
    const file = { field: '0', filename: '', content: uniqueText() };
    const outcome = await refusedUpload(() => hostile.multipart({ ...uploadOperation(), files: [file] }));
    expectWholeRefusal(outcome, 'The filename of the file part ‘0’ is empty');
  });

  it('stores a name without its bidirectional controls, and audits the name as sent', async () => {
    const controls = fc.constantFrom(
      '\u202e',
      '\u202d',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200f',
      '\u061c',
    );
    await check('bidirectional controls in filenames', controls, 8, async (control) => {
      const sent = `invoice${control}gpj.exe`;
      const file = { field: '0', filename: sent, content: uniqueText() };
      await acceptedUpload({ ...uploadOperation(), files: [file] }, async (document) => {
        expect(document.originalFilename).toBe('invoicegpj.exe');
        const { rows } = await hostile.stack.documents.admin.query<{ details: Record<string, unknown> }>(
          `select details from audit_log where action = 'UPLOAD' and target = $1`,
          [`document:${document.id}`],
        );
        expect(rows.map((row) => row.details.submittedFilename)).toEqual([sent]);
      });
    });
  });

  it('refuses a filename longer than a part header may be with BAD_USER_INPUT', async () => {
    const file = { field: '0', filename: `${'n'.repeat(20_000)}.txt`, content: uniqueText() };
    const outcome = await refusedUpload(() => hostile.multipart({ ...uploadOperation(), files: [file] }));
    expectRefused(outcome, 'BAD_USER_INPUT');
  });
});

describe('afterwards', () => {
  it('still takes an ordinary upload and leaves every dependency healthy', async () => {
    const request = {
      operations: { query: UPLOAD_MUTATION, variables: { file: null, title: 'After the storm' } },
      map: { '0': ['variables.file'] },
      files: [{ field: '0', filename: 'fine.txt', content: uniqueText() }],
    };
    await acceptedUpload(request, (document) => expect(document.mimeType).toBe('text/plain'));
    await hostile.expectHealthy();
  });
});
