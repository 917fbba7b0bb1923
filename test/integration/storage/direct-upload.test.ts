import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deterministicText, sha256Of } from '../../support/multipart.ts';
import { jpegBytes, pdfBytes, pngBytes, tiffBytes, webpBytes } from '../uploads/fixtures.ts';
import { bytesFile, postForm } from './post-form.ts';
import { COMPLETE_UPLOAD, REQUEST_UPLOAD, type Completed, type Ticket } from './ticket-stack.ts';
import { startTicketStack, type TicketStack } from '../../support/stacks/index.ts';

// A direct upload end to end against the real S3 server: requestUpload hands out a
// presigned POST, the file goes straight to the bucket, completeUpload registers it.

const MB = 1024 * 1024;
let stack: TicketStack;

beforeAll(async () => {
  stack = await startTicketStack('direct-upload', { MAX_UPLOAD_BYTES: String(64 * MB) });
});

afterAll(async () => {
  await stack?.close();
});

async function requestTicket(input: Record<string, unknown>): Promise<Ticket> {
  const body = await stack.graphql<{ requestUpload: Ticket }>(REQUEST_UPLOAD, { input });
  expect(body.errors).toBeUndefined();
  return body.data!.requestUpload;
}

async function complete(ticketId: string, headers: Record<string, string> = {}): Promise<Completed> {
  const body = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, { ticketId }, headers);
  expect(body.errors).toBeUndefined();
  return body.data!.completeUpload;
}

const field = (ticket: Ticket, name: string) => ticket.fields.find((f) => f.name === name)?.value;

async function documentRow(id: string) {
  const { rows } = await stack.admin.query<Record<string, unknown>>(
    `select status, mime_type, size_bytes::float8 as size_bytes, sha256, object_key, original_filename, title
     from documents where id = $1`,
    [id],
  );
  return rows[0];
}

describe('a direct upload', () => {
  let ticket: Ticket;
  let documentId: string;
  const source = deterministicText(50 * MB, 'direct-upload-50mb');

  it('takes a 50 MB file POSTed straight to the bucket and registers it as an upload does', async () => {
    ticket = await requestTicket({
      filename: 'C:\\fakepath\\Quarterly report.txt',
      contentType: 'text/plain',
      sizeBytes: 50 * MB,
    });
    expect(ticket.maxSizeBytes).toBe(50 * MB);
    const posted = await postForm(ticket.url, ticket.fields, {
      filename: 'Quarterly report.txt',
      contentType: 'text/plain',
      size: 50 * MB,
      open: source,
    });
    expect(posted.status).toBe(204);

    const { document, duplicate } = await complete(ticket.id, { 'x-request-id': 'direct-upload-50mb' });
    expect(duplicate).toBe(false);
    documentId = document.id;
    expect(documentId).toBe(ticket.id);
    const expected = await sha256Of(source());
    const row = await documentRow(documentId);
    expect(row).toMatchObject({
      status: 'UPLOADED',
      mime_type: 'text/plain',
      size_bytes: 50 * MB,
      sha256: expected,
      original_filename: 'Quarterly report.txt',
      title: 'Quarterly report',
    });
    // The document has its own copy; the upload's key (still open to the policy) is empty.
    expect(await stack.objectKeys()).toEqual([row!.object_key]);
    expect(row!.object_key).not.toBe(field(ticket, 'key'));
    expect(
      await sha256Of(await stack.bucket.client.getObject(stack.bucket.bucket, row!.object_key as string)),
    ).toBe(expected);
    expect(await stack.queuedDocuments()).toEqual([documentId]);
    expect((await stack.deps.queue.getJob(documentId))?.data).toEqual({
      documentId,
      requestId: 'direct-upload-50mb',
    });
  });

  it('answers the same document when completed again, and stores nothing more', async () => {
    const again = await complete(ticket.id);
    expect(again).toEqual({ duplicate: false, document: { id: documentId } });
    expect(await stack.counts()).toMatchObject({ documents: 1, objects: 1 });
    expect(await stack.queuedDocuments()).toEqual([documentId]);
  });

  it('keeps the document’s bytes when the policy is used again after completion', async () => {
    const row = await documentRow(documentId);
    const other = Buffer.from('other bytes, POSTed while the policy still holds\n');
    const posted = await postForm(ticket.url, ticket.fields, bytesFile(other, 'other.txt', 'text/plain'));
    expect(posted.status).toBe(204);
    const stored = await stack.bucket.client.getObject(stack.bucket.bucket, row!.object_key as string);
    expect(await sha256Of(stored)).toBe(row!.sha256);
    // What was POSTed again lies at the ticket's key until the ticket sweeper removes it.
    expect(await stack.objectKeys()).toEqual([row!.object_key, field(ticket, 'key')].sort());
    await stack.bucket.client.removeObject(stack.bucket.bucket, field(ticket, 'key')!);
  });
});

describe('the POST policy', () => {
  let ticket: Ticket;
  let issuedAt: number;

  beforeAll(async () => {
    issuedAt = Date.now();
    ticket = await requestTicket({
      filename: 'contract.pdf',
      contentType: 'Application/PDF',
      sizeBytes: 4096,
    });
  });

  it('binds the bucket, the exact key, the content type, the size and the expiry', () => {
    const policy = JSON.parse(Buffer.from(field(ticket, 'policy')!, 'base64').toString('utf8')) as {
      expiration: string;
      conditions: unknown[];
    };
    const key = field(ticket, 'key')!;
    expect(key).toMatch(new RegExp(`^_anonymous/${ticket.id}/[0-9a-f-]{36}\\.pdf$`));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$bucket', stack.bucket.bucket],
        ['eq', '$key', key],
        ['eq', '$Content-Type', 'application/pdf'],
        ['content-length-range', 1, 4096],
        ['eq', '$x-amz-algorithm', 'AWS4-HMAC-SHA256'],
      ]),
    );
    // Exactly these: no starts-with loophole for the key or the type.
    expect(policy.conditions.filter((c) => (c as unknown[])[0] === 'starts-with')).toEqual([]);
    const ttl = stack.config.PRESIGN_UPLOAD_TTL * 1000;
    expect(Date.parse(policy.expiration)).toBe(Date.parse(ticket.expiresAt));
    expect(Date.parse(policy.expiration) - issuedAt).toBeGreaterThanOrEqual(ttl - 1_000);
    expect(Date.parse(policy.expiration) - issuedAt).toBeLessThanOrEqual(ttl + 5_000);
    expect(field(ticket, 'Content-Type')).toBe('application/pdf');
    expect(ticket.url).toBe(`${stack.config.MINIO_ENDPOINT}/${stack.bucket.bucket}`);
  });

  it('is signed as SigV4 prescribes (signing key chain recomputed with node:crypto)', () => {
    const hmac = (key: Buffer | string, data: string) =>
      createHmac('sha256', key).update(data, 'utf8').digest();
    const credential = field(ticket, 'x-amz-credential')!;
    const amzDate = field(ticket, 'x-amz-date')!;
    const day = amzDate.slice(0, 8);
    const region = stack.config.MINIO_REGION;
    expect(credential).toBe(`${stack.config.MINIO_ROOT_USER}/${day}/${region}/s3/aws4_request`);
    const signingKey = hmac(
      hmac(hmac(hmac(`AWS4${stack.config.MINIO_ROOT_PASSWORD}`, day), region), 's3'),
      'aws4_request',
    );
    const expected = createHmac('sha256', signingKey).update(field(ticket, 'policy')!, 'utf8').digest('hex');
    expect(field(ticket, 'x-amz-signature')).toBe(expected);
  });

  it('records the ticket with what the client promised', async () => {
    const { rows } = await stack.admin.query(
      `select user_id, object_key, filename, declared_content_type, max_size_bytes::float8 as max, title,
              completed_document_id, expires_at
       from upload_tickets where id = $1`,
      [ticket.id],
    );
    expect(rows[0]).toMatchObject({
      user_id: null,
      object_key: field(ticket, 'key'),
      filename: 'contract.pdf',
      declared_content_type: 'application/pdf',
      max: 4096,
      title: 'contract',
      completed_document_id: null,
      expires_at: new Date(ticket.expiresAt),
    });
  });

  it('lets a file of the declared type and size through, and completes it into a PDF document', async () => {
    const pdf = pdfBytes('policy');
    const posted = await postForm(
      ticket.url,
      ticket.fields,
      bytesFile(pdf, 'contract.pdf', 'application/pdf'),
    );
    expect(posted.status).toBe(204);
    const { document } = await complete(ticket.id);
    expect(await documentRow(document.id)).toMatchObject({
      mime_type: 'application/pdf',
      size_bytes: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    });
  });
});

describe('a direct upload of a scan or photo', () => {
  it.each([
    ['a PNG', pngBytes(), 'image/png', '.png'],
    ['a JPEG', jpegBytes(), 'image/jpeg', '.jpg'],
    ['a TIFF', tiffBytes(), 'image/tiff', '.tif'],
    ['a WebP', webpBytes(), 'image/webp', '.webp'],
  ])(
    'takes %s under a ticket of its type and registers it by its sniffed type',
    async (_kind, bytes, type, ext) => {
      const ticket = await requestTicket({
        filename: `scan${ext}`,
        contentType: type,
        sizeBytes: bytes.length,
      });
      expect(field(ticket, 'key')!.endsWith(ext)).toBe(true);
      const posted = await postForm(ticket.url, ticket.fields, bytesFile(bytes, `scan${ext}`, type));
      expect(posted.status).toBe(204);
      const { document } = await complete(ticket.id);
      expect(await documentRow(document.id)).toMatchObject({ mime_type: type, size_bytes: bytes.length });
    },
  );
});
