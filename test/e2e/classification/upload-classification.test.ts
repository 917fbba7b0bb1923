import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DOCX_MIME_TYPE } from '@docuvault/documents/classification/text/extract';
import type { WorkerRuntime } from '@docuvault/documents/worker/runtime';
import { buildDocx, utf16le } from '../../fixtures/docx.ts';
import { corruptPdf, textPdf } from '../../fixtures/pdf.ts';
import { gatewayClient } from '../../support/gateway-client.ts';
import { startStack, startStackWorker, type Stack } from '../../support/stacks/index.ts';
import { uploadFile } from '../../support/upload-requests.ts';

// Through the gateway as a client uses it: a real multipart upload, a real worker, and
// the outcome read back through the gateway.

let stack: Stack;
let worker: WorkerRuntime;

const gateway = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> =>
  gatewayClient(stack.gatewayUrl).data<T>(query, variables);

const upload = (filename: string, contentType: string, content: Buffer, title: string): Promise<string> =>
  uploadFile(stack.gatewayUrl, { filename, contentType, content }, title);

interface Outcome {
  status: string;
  failureReason: string | null;
  topics: { topic: { name: string }; source: string }[];
}

async function settled(id: string): Promise<Outcome> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { document } = await gateway<{ document: Outcome }>(
      'query ($id: ID!) { document(id: $id) { status failureReason topics { topic { name } source } } }',
      { id },
    );
    if (document.status === 'CLASSIFIED' || document.status === 'FAILED') return document;
    if (Date.now() > deadline) throw new Error(`document ${id} still ${document.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const names = (outcome: Outcome) => outcome.topics.map((t) => `${t.topic.name}:${t.source}`).sort();

async function searchIds(text: string): Promise<string[]> {
  const { search } = await gateway<{ search: { edges: { node: { id: string } }[] } }>(
    'query ($q: String!) { search(query: $q) { edges { node { id } } } }',
    { q: text },
  );
  return search.edges.map((edge) => edge.node.id);
}

beforeAll(async () => {
  stack = await startStack('e2e-classification');
  worker = await startStackWorker(stack);
  for (const input of [
    { name: 'Finance', matchMode: 'ANY', pattern: 'invoice payment' },
    { name: 'Travel', matchMode: 'EXACT', pattern: 'boarding pass' },
    { name: 'Medical', matchMode: 'FUZZY', pattern: 'prescription' },
  ]) {
    await gateway('mutation ($input: CreateTopicInput!) { createTopic(input: $input) { id } }', { input });
  }
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await stack?.close();
});

describe('an upload through the gateway', () => {
  it('ends CLASSIFIED for a PDF, with its text searchable and its rule topics', async () => {
    const id = await upload(
      'statement.pdf',
      'application/pdf',
      textPdf('Invoice 7731: the payment for the quarterly maintenance is overdue.'),
      'Statement',
    );
    expect(names(await settled(id))).toEqual(['Finance:RULE']);
    expect(await searchIds('quarterly maintenance')).toEqual([id]);
  });

  it('ends CLASSIFIED for a UTF-16 text file', async () => {
    const id = await upload(
      'trip.txt',
      'text/plain',
      utf16le('Ihre Bordkarte – your boarding pass for Zürich.'),
      'Trip',
    );
    expect(names(await settled(id))).toEqual(['Travel:RULE']);
    expect(await searchIds('Zürich')).toEqual([id]);
  });

  it('ends CLASSIFIED for a DOCX', async () => {
    const id = await upload(
      'visit.docx',
      DOCX_MIME_TYPE,
      buildDocx(['The doctor wrote a new perscription.', 'Take it twice a day.']),
      'Visit',
    );
    expect(names(await settled(id))).toEqual(['Medical:RULE']);
    expect(await searchIds('twice')).toEqual([id]);
  });

  it('ends FAILED for a corrupt PDF, with a reason a person can read', async () => {
    const id = await upload('broken.pdf', 'application/pdf', corruptPdf(), 'Broken');
    const outcome = await settled(id);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.failureReason).toMatch(/damaged or not a valid PDF/);
  });
});
