import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { WorkerRuntime } from '@docuvault/documents/worker/runtime';
import { gatewayClient } from '../../support/gateway-client.ts';
import {
  buildPdf,
  jpegSize,
  renderPdf,
  scannedJpeg,
  scannedPdf,
  type TextPage,
} from '../../support/scans.ts';
import { startStack, startStackWorker, type Stack } from '../../support/stacks/index.ts';
import { uploadFile } from '../../support/upload-requests.ts';

// Scanned paper through the gateway: a real multipart upload of a scan made in the test,
// a real worker running Tesseract and Poppler from the PATH, and the outcome read back
// through the gateway (status, textSource, search).

jest.setTimeout(180_000);

let stack: Stack;
let worker: WorkerRuntime | undefined;

const OCR_PATH = '/usr/bin:/bin';

const gateway = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> =>
  gatewayClient(stack.gatewayUrl).data<T>(query, variables);

const upload = (filename: string, content: Buffer, title: string): Promise<string> =>
  uploadFile(stack.gatewayUrl, { filename, contentType: 'application/octet-stream', content }, title);

interface Outcome {
  status: string;
  failureReason: string | null;
  textSource: {
    kind: string;
    textLayerPages: number;
    ocrPages: number;
    skippedPages: number;
    note: string | null;
  } | null;
}

/** The document once it is CLASSIFIED or FAILED (or, with `until`, has that status). */
async function settled(id: string, until?: string): Promise<Outcome> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { document } = await gateway<{ document: Outcome }>(
      `query ($id: ID!) { document(id: $id) {
         status failureReason textSource { kind textLayerPages ocrPages skippedPages note } } }`,
      { id },
    );
    if (until ? document.status === until : ['CLASSIFIED', 'FAILED'].includes(document.status))
      return document;
    if (Date.now() > deadline) throw new Error(`document ${id} still ${document.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function searchIds(text: string): Promise<string[]> {
  const { search } = await gateway<{ search: { edges: { node: { id: string } }[] } }>(
    'query ($q: String!) { search(query: $q) { edges { node { id } } } }',
    { q: text },
  );
  return search.edges.map((edge) => edge.node.id);
}

const startWorker = (searchPath: string): Promise<WorkerRuntime> =>
  startStackWorker(stack, { OCR: 'auto', OCR_LANGUAGES: 'eng+deu', WORKER_CONCURRENCY: '1' }, { searchPath });

const letter = (word: string, extra: Partial<TextPage> = {}): TextPage => ({
  lines: [`Dear customer, your parcel ${word} is waiting`, 'at the depot until Friday.', 'Kind regards'],
  skewDegrees: 1.5,
  noise: 300,
  ...extra,
});

beforeAll(async () => {
  stack = await startStack('e2e-scans');
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await stack?.close();
});

describe('a scan uploaded through the gateway', () => {
  beforeAll(async () => {
    worker = await startWorker(OCR_PATH);
  });

  afterAll(async () => {
    await worker?.close();
    worker = undefined;
  });

  it('is found by search for a word present only in the scanned image', async () => {
    const id = await upload('scan.pdf', await scannedPdf([letter('Wombatcreek')]), 'Scan');
    expect(await settled(id)).toEqual({
      status: 'CLASSIFIED',
      failureReason: null,
      textSource: { kind: 'OCR', textLayerPages: 0, ocrPages: 1, skippedPages: 0, note: null },
    });
    expect(await searchIds('Wombatcreek')).toEqual([id]);
  });

  it('reads a JPEG photo and finds it by a word in it', async () => {
    const id = await upload('photo.jpg', await scannedJpeg(letter('Capybarabay'), 200), 'Photo');
    expect((await settled(id)).textSource).toMatchObject({ kind: 'OCR', ocrPages: 1 });
    expect(await searchIds('Capybarabay')).toEqual([id]);
  });

  it('keeps the text-layer page of a mixed PDF and OCRs the scanned one', async () => {
    const [scan] = await renderPdf(buildPdf([{ text: letter('Narwhalpoint') }]), 'jpeg');
    const pdf = buildPdf([
      { text: { lines: ['Typed cover page for Ibexhollow'] } },
      { jpeg: scan!, ...jpegSize(scan!) },
    ]);
    const id = await upload('mixed.pdf', pdf, 'Mixed');
    expect((await settled(id)).textSource).toEqual({
      kind: 'MIXED',
      textLayerPages: 1,
      ocrPages: 1,
      skippedPages: 0,
      note: null,
    });
    expect(await searchIds('Ibexhollow')).toEqual([id]);
    expect(await searchIds('Narwhalpoint')).toEqual([id]);
  });

  it('reads a page scanned upside down', async () => {
    const pdf = await scannedPdf([letter('Tapirgrove', { rotate: 180 })]);
    const id = await upload('upside-down.pdf', pdf, 'Upside down');
    const outcome = await settled(id);
    expect(outcome.textSource).toMatchObject({ kind: 'OCR', ocrPages: 1 });
    expect(outcome.textSource!.note).toMatch(/Turned upright before reading: page 1 \(180°\)/);
    expect(await searchIds('Tapirgrove')).toEqual([id]);
  });

  it('classifies an image without text, with empty text, and says so', async () => {
    const id = await upload('blank.jpg', await scannedJpeg({ lines: [] }, 100), 'Blank photo');
    expect(await settled(id)).toMatchObject({
      status: 'CLASSIFIED',
      textSource: { kind: 'NONE', ocrPages: 1, note: 'OCR read 1 page and found no text.' },
    });
  });
});

describe('a scan on a worker without Tesseract', () => {
  it('ends FAILED saying why, and is read by reclassifyDocument once the engine is there', async () => {
    worker = await startWorker('/nonexistent');
    const id = await upload('later.pdf', await scannedPdf([letter('Okapimeadow')], 150), 'Later');
    const failed = await settled(id);
    expect(failed.status).toBe('FAILED');
    expect(failed.failureReason).toMatch(/needs OCR, but Tesseract \(tesseract-ocr\) is not installed/);
    expect(await searchIds('Okapimeadow')).toEqual([]);
    await worker.close();

    worker = await startWorker(OCR_PATH);
    await gateway('mutation ($id: ID!) { reclassifyDocument(id: $id) { id } }', { id });
    expect(await settled(id, 'CLASSIFIED')).toMatchObject({
      failureReason: null,
      textSource: { kind: 'OCR', ocrPages: 1 },
    });
    expect(await searchIds('Okapimeadow')).toEqual([id]);
  });
});
