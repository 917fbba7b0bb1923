import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bytesFile, postForm } from '../../integration/storage/post-form.ts';
import { pdfBytes } from '../../integration/uploads/fixtures.ts';
import { startGatewayStorageStack, type GatewayStorageStack } from '../../support/stacks/index.ts';

// requestUpload and completeUpload are storage's; the document they answer is resolved
// by the gateway from documents (title, status, …) and storage (download) alike.

let stack: GatewayStorageStack;

beforeAll(async () => {
  stack = await startGatewayStorageStack('e2e-direct-upload');
});

afterAll(async () => {
  await stack?.close();
});

interface Ticket {
  id: string;
  url: string;
  fields: { name: string; value: string }[];
}

interface Completed {
  duplicate: boolean;
  document: { id: string; title: string; status: string; sizeBytes: number; download: { url: string } };
}

describe('a direct upload through the gateway', () => {
  it('answers completeUpload with a document whose fields come from both subgraphs', async () => {
    const { requestUpload: ticket } = await stack.viaGateway<{ requestUpload: Ticket }>(
      `mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { id url fields { name value } } }`,
      { input: { filename: 'Direct.pdf', contentType: 'application/pdf', sizeBytes: 4096 } },
    );
    const pdf = pdfBytes('through the gateway');
    const posted = await postForm(ticket.url, ticket.fields, bytesFile(pdf, 'Direct.pdf', 'application/pdf'));
    expect(posted.status).toBe(204);

    const { completeUpload } = await stack.viaGateway<{ completeUpload: Completed }>(
      `mutation ($id: ID!) {
        completeUpload(ticketId: $id) { duplicate document { id title status sizeBytes download { url } } }
      }`,
      { id: ticket.id },
    );
    expect(completeUpload).toMatchObject({
      duplicate: false,
      document: { id: ticket.id, title: 'Direct', status: 'UPLOADED', sizeBytes: pdf.length },
    });
    const served = await fetch(completeUpload.document.download.url);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(pdf);
  });
});
