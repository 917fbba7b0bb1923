import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DOCX_MIME_TYPE } from '@docuvault/documents/uploads/sniff';
import { deterministicText, postMultipart, sha256Of } from '../../support/multipart.ts';
import { docxBytes, jpegBytes, pdfBytes, pngBytes, tiffBytes, utf16Text, webpBytes } from './fixtures.ts';
import { eventually } from '../../support/eventually.ts';
import { startUploadStack, type UploadStack } from '../../support/stacks/index.ts';
import { tempUploadFiles, uploadOperation } from '../../support/upload-requests.ts';

// The documents subgraph on its own: a multipart request straight to it, as the gateway sends one.

interface Payload {
  uploadDocument: {
    duplicate: boolean;
    document: {
      id: string;
      title: string;
      originalFilename: string;
      mimeType: string;
      sizeBytes: number;
      sha256: string;
      status: string;
      folder: { id: string } | null;
    };
  };
}

let stack: UploadStack;

beforeAll(async () => {
  stack = await startUploadStack('upload-document');
});

afterAll(async () => {
  await stack?.close();
});

async function upload(content: Buffer | string, filename: string, variables: Record<string, unknown> = {}) {
  const { operations, map } = uploadOperation(variables);
  return postMultipart(
    stack.graphqlUrl,
    { operations, map, files: [{ field: '0', filename, content, contentType: 'application/octet-stream' }] },
    { headers: { 'x-request-id': `req-${filename.replace(/[^A-Za-z0-9]/g, '')}` } },
  );
}

/** No temp file but those of `before` (another test's may still be going: they are released after the answer). */
const noTempFileBeyond = (before: ReadonlySet<string>) => tempUploadFiles().every((file) => before.has(file));

const payloadOf = (result: Awaited<ReturnType<typeof upload>>) => {
  expect(result.body.errors).toBeUndefined();
  return (result.body.data as unknown as Payload).uploadDocument;
};

describe('uploadDocument on the documents subgraph', () => {
  it('stores a text file, records it as UPLOADED and queues its classification with the request id', async () => {
    const before = tempUploadFiles().length;
    const content = 'Quarterly report\nRevenue went up.\n';
    const { document, duplicate } = payloadOf(await upload(content, 'C:\\fakepath\\report.txt'));

    expect(duplicate).toBe(false);
    expect(document).toMatchObject({
      title: 'report',
      originalFilename: 'report.txt',
      mimeType: 'text/plain',
      sizeBytes: Buffer.byteLength(content),
      status: 'UPLOADED',
      folder: null,
    });
    const { rows } = await stack.admin.query(
      'select object_key, sha256, declared_mime_type from documents where id = $1',
      [document.id],
    );
    const key = rows[0].object_key as string;
    expect(key).toMatch(new RegExp(`^_anonymous/${document.id}/[0-9a-f-]{36}\\.txt$`));
    expect(rows[0].declared_mime_type).toBe('application/octet-stream');
    const stored = await sha256Of(await stack.bucket.client.getObject(stack.bucket.bucket, key));
    expect(stored).toBe(document.sha256);
    expect(document.sha256).toBe(rows[0].sha256);

    const job = await stack.deps.queue.getJob(document.id);
    expect(job?.data).toEqual({ documentId: document.id, requestId: 'req-Cfakepathreporttxt' });
    // The temp file goes when the response closes: a moment after the client has it.
    expect(await eventually(() => tempUploadFiles().length === before)).toBe(true);
  });

  it.each([
    ['a PDF', pdfBytes('typed'), 'scan.bin', 'application/pdf', '.pdf'],
    ['a DOCX', docxBytes(), 'letter', DOCX_MIME_TYPE, '.docx'],
    [
      'Markdown (by its name: text has no magic bytes)',
      '# Notes\n\n* one\n',
      'notes.md',
      'text/markdown',
      '.md',
    ],
    ['UTF-16 text with a BOM', utf16Text('Grüße aus UTF-16'), 'greeting.txt', 'text/plain', '.txt'],
    ['a PNG scan', pngBytes(), 'scan.pdf', 'image/png', '.png'],
    ['a JPEG photo', jpegBytes(), 'photo.txt', 'image/jpeg', '.jpg'],
    ['a TIFF', tiffBytes(), 'fax', 'image/tiff', '.tif'],
    ['a WebP', webpBytes(), 'receipt.png', 'image/webp', '.webp'],
  ])(
    'types %s by its bytes, not by the name or the claimed type',
    async (_kind, content, filename, mimeType, ext) => {
      const { document } = payloadOf(await upload(content, filename));
      expect(document.mimeType).toBe(mimeType);
      const { rows } = await stack.admin.query('select object_key from documents where id = $1', [
        document.id,
      ]);
      expect(rows[0].object_key.endsWith(ext)).toBe(true);
    },
  );

  it('takes the title and folder it is given', async () => {
    const folder = await stack.admin.query<{ id: string }>(
      `insert into folders (name) values ('Invoices') returning id`,
    );
    const folderId = folder.rows[0]!.id;
    const { document } = payloadOf(
      await upload('invoice 42', 'inv.txt', { title: '  Invoice 42 ', folderId }),
    );
    expect(document.title).toBe('Invoice 42');
    expect(document.folder).toEqual({ id: folderId });
  });

  it('answers the existing document for the same bytes, and keeps one object', async () => {
    const content = `duplicate me ${Date.now()}`;
    const first = payloadOf(await upload(content, 'first.txt'));
    const objectsBefore = await stack.objectKeys();
    const rowsBefore = await stack.rowCount();

    const second = payloadOf(await upload(content, 'second.txt', { title: 'Another title' }));

    expect(second.duplicate).toBe(true);
    expect(second.document.id).toBe(first.document.id);
    expect(second.document.title).toBe('first');
    expect(await stack.objectKeys()).toEqual(objectsBefore);
    expect(await stack.rowCount()).toBe(rowsBefore);
    expect((await stack.objectKeys()).filter((key) => key.includes(first.document.id))).toHaveLength(1);
  });

  it('keeps one document when the same bytes are uploaded twice at once', async () => {
    const content = `raced ${Date.now()}`;
    const rowsBefore = await stack.rowCount();
    const objectsBefore = (await stack.objectKeys()).length;
    const results = await Promise.all([upload(content, 'a.txt'), upload(content, 'b.txt')]);
    const payloads = results.map(payloadOf);
    expect(payloads.map((p) => p.duplicate).sort()).toEqual([false, true]);
    expect(payloads[0]!.document.id).toBe(payloads[1]!.document.id);
    expect(await stack.rowCount()).toBe(rowsBefore + 1);
    expect((await stack.objectKeys()).length).toBe(objectsBefore + 1);
  });

  it('stores several files of one request, each as its own document', async () => {
    const query = `mutation Two($a: Upload!, $b: Upload!) {
      a: uploadDocument(file: $a) { document { title mimeType } }
      b: uploadDocument(file: $b) { document { title mimeType } }
    }`;
    const result = await postMultipart(stack.graphqlUrl, {
      operations: { query, variables: { a: null, b: null } },
      map: { first: ['variables.a'], second: ['variables.b'] },
      files: [
        { field: 'first', filename: 'alpha.md', content: `# alpha ${Date.now()}` },
        { field: 'second', filename: 'beta.pdf', content: pdfBytes(`beta ${Date.now()}`) },
      ],
    });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toEqual({
      a: { document: { title: 'alpha', mimeType: 'text/markdown' } },
      b: { document: { title: 'beta', mimeType: 'application/pdf' } },
    });
  });

  it('reads a file the map places at two variables once for each', async () => {
    const query = `mutation Twice($a: Upload!, $b: Upload!) {
      a: uploadDocument(file: $a, title: "first") { duplicate document { id sizeBytes } }
      b: uploadDocument(file: $b, title: "second") { duplicate document { id sizeBytes } }
    }`;
    const content = `placed twice ${Date.now()}\n`.repeat(4096);
    const before = new Set(tempUploadFiles());
    const result = await postMultipart(stack.graphqlUrl, {
      operations: { query, variables: { a: null, b: null } },
      map: { only: ['variables.a', 'variables.b'] },
      files: [{ field: 'only', filename: 'twice.txt', content }],
    });
    expect(result.body.errors).toBeUndefined();
    const data = result.body.data as Record<'a' | 'b', Payload['uploadDocument']>;
    expect(data.a).toMatchObject({ duplicate: false, document: { sizeBytes: content.length } });
    // The same bytes again: the second read sees the whole file, and it is the first's duplicate.
    expect(data.b).toEqual({ duplicate: true, document: data.a.document });
    // Its temp file goes when the response closes: a moment after the client has it.
    expect(await eventually(() => noTempFileBeyond(before))).toBe(true);
  });

  it('stores files sent in another order than their fields, a part at a time beyond memory', async () => {
    // Field a's file comes second: a's resolver waits for it while b's part sits unread,
    // so that part goes to a temp file (file-part.ts) and the parser reaches a's.
    const MB = 1024 * 1024;
    const query = `mutation Two($a: Upload!, $b: Upload!) {
      a: uploadDocument(file: $a) { document { title sizeBytes } }
      b: uploadDocument(file: $b) { document { title sizeBytes } }
    }`;
    const stamp = Date.now();
    const before = new Set(tempUploadFiles());
    const result = await postMultipart(stack.graphqlUrl, {
      operations: { query, variables: { a: null, b: null } },
      map: { second: ['variables.b'], first: ['variables.a'] },
      files: [
        { field: 'second', filename: 'bee.txt', content: deterministicText(3 * MB, `b${stamp}`) },
        { field: 'first', filename: 'ay.txt', content: deterministicText(9 * MB, `a${stamp}`) },
      ],
    });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toEqual({
      a: { document: { title: 'ay', sizeBytes: 9 * MB } },
      b: { document: { title: 'bee', sizeBytes: 3 * MB } },
    });
    expect(await eventually(() => noTempFileBeyond(before))).toBe(true);
  });
});
