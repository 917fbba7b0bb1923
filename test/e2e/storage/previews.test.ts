import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createThumbnailQueue } from '@docuvault/documents/thumbnails/thumbnail-queue';
import type { WorkerRuntime } from '@docuvault/documents/worker/runtime';
import { pino } from 'pino';
import { corruptPdf, textPdf } from '../../fixtures/pdf.ts';
import { imageSize, pngBombHead, stripedPng } from '../../fixtures/png.ts';
import { eventually } from '../../support/eventually.ts';
import { finishedJob } from '../../support/finished-job.ts';
import { jpegSize, scannedJpeg, scannedPdf } from '../../support/scans.ts';
import { gatewayClient } from '../../support/gateway-client.ts';
import { postMultipart } from '../../support/multipart.ts';
import { startStack, startStackWorker, type Stack } from '../../support/stacks/index.ts';
import { uploadOperation } from '../../support/upload-requests.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';

// Thumbnails and inline previews through the gateway, as a client uses them: upload, a
// real worker classifies the document and then, in a job of the thumbnails queue, renders
// the thumbnail, the presigned URLs are fetched from the object store
// and their bytes and headers checked; deletion and another user's ids too.

let stack: Stack;
let worker: WorkerRuntime;
let bob: TestUser;
let alice: TestUser;
const workerLog: string[] = [];

const PDF_TEXT = 'Quarterly statement of the allotment association, page one of one.';

interface Urls {
  status: string;
  thumbnail: { url: string } | null;
  preview: { url: string } | null;
  download: { url: string };
}

const URLS = `query ($id: ID!) { document(id: $id) {
  status thumbnail { url expiresAt } preview { url expiresAt } download { url } } }`;

const as = (who: TestUser) => ({
  data: <T>(query: string, variables: Record<string, unknown> = {}) =>
    gatewayClient(stack.gatewayUrl).data<T>(query, variables, { token: who.token }),
  call: (query: string, variables: Record<string, unknown> = {}) =>
    gatewayClient(stack.gatewayUrl).call(query, variables, { token: who.token }),
});

async function upload(
  who: TestUser,
  filename: string,
  contentType: string,
  content: Buffer,
  variables: Record<string, unknown> = {},
) {
  const result = await postMultipart(
    stack.gatewayUrl,
    {
      ...uploadOperation({ title: filename, ...variables }),
      files: [{ field: '0', filename, contentType, content }],
    },
    { headers: who.headers },
  );
  expect(result.body.errors).toBeUndefined();
  return (result.body.data as { uploadDocument: { document: { id: string } } }).uploadDocument.document.id;
}

/** The document once the worker is done with it: classified or failed, thumbnail attempted. */
async function settled(id: string, withThumbnail: boolean, who = bob): Promise<Urls> {
  let last: Urls | undefined;
  const done = await eventually(async () => {
    last = (await as(who).data<{ document: Urls }>(URLS, { id })).document;
    const final = last.status === 'CLASSIFIED' || last.status === 'FAILED';
    return final && (!withThumbnail || last.thumbnail !== null);
  }, 30_000);
  if (!done) throw new Error(`document ${id} did not settle: ${JSON.stringify(last)}`);
  return last!;
}

async function fetchBytes(url: string) {
  const response = await fetch(url);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    disposition: response.headers.get('content-disposition'),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

const thumbnailKeyOf = async (id: string): Promise<string | null> =>
  (
    await stack.documents.admin.query<{ thumbnail_key: string | null }>(
      'select thumbnail_key from documents where id = $1',
      [id],
    )
  ).rows[0]?.thumbnail_key ?? null;

async function objectExists(key: string): Promise<boolean> {
  const { store } = stack.documents.deps;
  return store.client.statObject(store.bucket, key).then(
    () => true,
    (error: { code?: string }) => {
      if (error.code === 'NotFound' || error.code === 'NoSuchKey') return false;
      throw error;
    },
  );
}

beforeAll(async () => {
  // The default accepted types: PDF, text, Markdown, DOCX, PNG, JPEG, TIFF, WebP.
  stack = await startStack('e2e-previews', { gateway: { ALLOW_ANONYMOUS: 'false' } });
  const documents = stack.documents;
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        workerLog.push(chunk.toString());
        done();
      },
    }),
  );
  // pdftoppm is found on the PATH, as `npm run worker` finds it.
  worker = await startStackWorker(
    stack,
    { LOG_LEVEL: 'info' },
    { logger, searchPath: process.env.PATH ?? '' },
  );
  bob = await createTestUser(documents.admin);
  alice = await createTestUser(documents.admin);
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await stack?.close();
});

describe('a PDF', () => {
  let id = '';
  let urls: Urls;
  const pdf = textPdf(PDF_TEXT);

  beforeAll(async () => {
    id = await upload(bob, 'Statement März.pdf', 'application/pdf', pdf);
    urls = await settled(id, true);
  }, 60_000);

  it('gets a thumbnail: its first page as a PNG 400 px wide, served inline', async () => {
    expect(urls.status).toBe('CLASSIFIED');
    const thumbnail = await fetchBytes(urls.thumbnail!.url);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.contentType).toBe('image/png');
    expect(thumbnail.disposition).toMatch(/^inline; filename="thumbnail\.png"/);
    // A US-letter page (612 × 792 pt) at 400 px wide.
    expect(imageSize(thumbnail.body)).toEqual({ format: 'png', width: 400, height: 518 });
  });

  it('is previewed inline as application/pdf with its own bytes; download stays an attachment', async () => {
    const preview = await fetchBytes(urls.preview!.url);
    expect(preview.status).toBe(200);
    expect(preview.contentType).toBe('application/pdf');
    expect(preview.disposition).toMatch(/^inline; filename="Statement Marz\.pdf"; filename\*=UTF-8''/);
    expect(preview.body.equals(pdf)).toBe(true);
    const download = await fetchBytes(urls.download.url);
    expect(download.disposition).toMatch(/^attachment; /);
  });

  it('keeps its thumbnail beside its bytes, under its own key prefix', async () => {
    const { rows } = await stack.documents.admin.query<{ object_key: string; thumbnail_key: string }>(
      'select object_key, thumbnail_key from documents where id = $1',
      [id],
    );
    const prefix = `${bob.id}/${id}/`;
    expect(rows[0]!.object_key.startsWith(prefix)).toBe(true);
    expect(rows[0]!.thumbnail_key).toMatch(new RegExp(`^${prefix}thumbnail-[0-9a-f-]{36}\\.png$`));
  });

  it('answers another user as a document that does not exist, thumbnail and preview included', async () => {
    const missing = await as(alice).call(URLS, { id: randomUUID() });
    const bobs = await as(alice).call(URLS, { id });
    const withoutIds = (answer: unknown) =>
      JSON.stringify(answer).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>');
    expect(bobs.data).toEqual({ document: null });
    expect(withoutIds(bobs)).toBe(withoutIds(missing));
  });

  it('takes its thumbnail object with it when deleted, and no other', async () => {
    const other = await upload(bob, 'other.pdf', 'application/pdf', textPdf('Another statement entirely.'));
    await settled(other, true);
    const key = (await thumbnailKeyOf(id))!;
    const otherKey = (await thumbnailKeyOf(other))!;
    expect(await objectExists(key)).toBe(true);
    await as(bob).data('mutation ($id: ID!) { deleteDocument(id: $id) }', { id });
    expect(await objectExists(key)).toBe(false);
    expect(await objectExists(otherKey)).toBe(true);
    expect((await fetchBytes(urls.thumbnail!.url)).status).toBe(404);
  });
});

describe('an image', () => {
  it('gets a WebP thumbnail 400 px wide and an inline preview as image/png', async () => {
    const png = stripedPng(1200, 900);
    const id = await upload(bob, 'photo.png', 'image/png', png);
    const urls = await settled(id, true);
    const thumbnail = await fetchBytes(urls.thumbnail!.url);
    expect(thumbnail.contentType).toBe('image/webp');
    expect(thumbnail.disposition).toMatch(/^inline/);
    expect(imageSize(thumbnail.body)).toEqual({ format: 'webp', width: 400, height: 300 });
    const preview = await fetchBytes(urls.preview!.url);
    expect(preview.contentType).toBe('image/png');
    expect(preview.disposition).toMatch(/^inline; filename="photo\.png"/);
    expect(preview.body.equals(png)).toBe(true);
  });
});

describe('scans', () => {
  const page = { lines: ['Meter reading 4711', 'Thank you for your payment'], skewDegrees: 1 };

  it('a JPEG photo gets a WebP thumbnail 400 px wide and an inline image/jpeg preview', async () => {
    const jpeg = await scannedJpeg(page);
    const id = await upload(bob, 'meter.jpg', 'image/jpeg', jpeg);
    const urls = await settled(id, true);
    const thumbnail = await fetchBytes(urls.thumbnail!.url);
    expect(thumbnail.contentType).toBe('image/webp');
    // The page scanned at 150 dpi, shrunk to 400 px wide in proportion.
    const scan = jpegSize(jpeg);
    const height = Math.round((scan.height * 400) / scan.width);
    expect(imageSize(thumbnail.body)).toEqual({ format: 'webp', width: 400, height });
    const preview = await fetchBytes(urls.preview!.url);
    expect(preview.contentType).toBe('image/jpeg');
    expect(preview.disposition).toMatch(/^inline; filename="meter\.jpg"/);
    expect(preview.body.equals(jpeg)).toBe(true);
  });

  it('an image-only PDF gets a thumbnail of its scanned first page', async () => {
    const id = await upload(bob, 'scan.pdf', 'application/pdf', await scannedPdf([page, page]));
    const urls = await settled(id, true);
    const thumbnail = await fetchBytes(urls.thumbnail!.url);
    expect(imageSize(thumbnail.body)).toMatchObject({ format: 'png', width: 400 });
    expect((await fetchBytes(urls.preview!.url)).contentType).toBe('application/pdf');
  });
});

describe('documents without a thumbnail', () => {
  it('a text file (even one holding HTML) has neither thumbnail nor preview, and downloads as an attachment', async () => {
    const html = Buffer.from(
      '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n',
    );
    const id = await upload(bob, 'page.html', 'text/html', html);
    const urls = await settled(id, false);
    expect(urls.status).toBe('CLASSIFIED');
    // Its classify job (job id: the document id) has ended without asking for a thumbnail.
    const classify = await finishedJob(stack.documents.deps.queue as never, id, 30_000);
    expect(classify?.returnvalue).toMatchObject({ outcome: 'classified', thumbnailRequested: false });
    const thumbnails = createThumbnailQueue(
      stack.documents.deps.redis,
      stack.documents.deps.config.REDIS_PREFIX,
    );
    const asked = (await thumbnails.getJobs(['waiting', 'active', 'completed', 'failed'])).filter(
      (job) => job.data.documentId === id,
    );
    await thumbnails.close();
    expect(asked).toEqual([]);
    const again = (await as(bob).data<{ document: Urls }>(URLS, { id })).document;
    expect(again.thumbnail).toBeNull();
    expect(again.preview).toBeNull();
    expect((await fetchBytes(again.download.url)).disposition).toMatch(/^attachment; /);
    expect(await thumbnailKeyOf(id)).toBeNull();
  });

  it('a corrupt PDF ends FAILED as before, without a thumbnail', async () => {
    const id = await upload(bob, 'broken.pdf', 'application/pdf', corruptPdf());
    const urls = await settled(id, false);
    expect(urls.status).toBe('FAILED');
    expect(urls.thumbnail).toBeNull();
    expect(await thumbnailKeyOf(id)).toBeNull();
  });

  it('an image the renderer refuses (a decompression bomb) is still CLASSIFIED, thumbnail null, the reason logged', async () => {
    const id = await upload(bob, 'bomb.png', 'image/png', pngBombHead());
    await settled(id, false);
    expect(
      await eventually(
        () => workerLog.some((line) => line.includes(id) && line.includes('no thumbnail')),
        30_000,
      ),
    ).toBe(true);
    const urls = (await as(bob).data<{ document: Urls }>(URLS, { id })).document;
    expect(urls.status).toBe('CLASSIFIED');
    expect(urls.thumbnail).toBeNull();
    const line = JSON.parse(workerLog.find((l) => l.includes(id) && l.includes('no thumbnail'))!) as {
      reason: string;
    };
    expect(line.reason).toMatch(/pixel limit/);
    // The preview is the uploaded bytes themselves: a browser's image decoder has its own limits.
    expect(urls.preview).not.toBeNull();
  });
});

describe('the other ways a document goes', () => {
  it('deleteFolder with its documents, and deleteUser, remove their thumbnails too', async () => {
    const admin = await createTestUser(stack.documents.admin, { role: 'ADMIN' });
    const carol = await createTestUser(stack.documents.admin);
    const { createFolder } = await as(carol).data<{ createFolder: { id: string } }>(
      'mutation { createFolder(name: "Scans") { id } }',
    );
    const inFolder = await upload(carol, 'filed.pdf', 'application/pdf', textPdf('Filed away.'), {
      folderId: createFolder.id,
    });
    const kept = await upload(carol, 'kept.pdf', 'application/pdf', textPdf('Kept for now.'));
    await settled(inFolder, true, carol);
    await settled(kept, true, carol);
    const filedKey = (await thumbnailKeyOf(inFolder))!;
    const keptKey = (await thumbnailKeyOf(kept))!;

    await as(carol).data('mutation ($id: ID!) { deleteFolder(id: $id, documents: DELETE_DOCUMENTS) }', {
      id: createFolder.id,
    });
    expect(await objectExists(filedKey)).toBe(false);
    expect(await objectExists(keptKey)).toBe(true);

    await as(admin).data('mutation ($id: ID!) { deleteUser(id: $id) }', { id: carol.id });
    expect(await eventually(async () => !(await objectExists(keptKey)), 15_000)).toBe(true);
  });
});
