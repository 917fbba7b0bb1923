import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, storageEnv } from '@docuvault/shared/config/index';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createStorageSubgraph } from '@docuvault/storage/storage-subgraph';
import { requestUpload } from '@docuvault/documents/direct-uploads/request-upload.service';
import { pdfBytes, pngBytes } from '../uploads/fixtures.ts';
import { bytesFile, postForm } from './post-form.ts';
import { COMPLETE_UPLOAD, REQUEST_UPLOAD, type Completed, type Ticket } from './ticket-stack.ts';
import { startTicketStack, type TicketStack } from '../../support/stacks/index.ts';

// What the store refuses under a ticket's policy, and what completeUpload refuses; each
// refusal leaves the rows and objects as they were (or removes what can never be a document).

let stack: TicketStack;

beforeAll(async () => {
  stack = await startTicketStack('direct-upload-refusals', { MAX_UPLOAD_BYTES: '1000000' });
});

afterAll(async () => {
  await stack?.close();
});

async function requestTicket(input: Record<string, unknown>): Promise<Ticket> {
  const body = await stack.graphql<{ requestUpload: Ticket }>(REQUEST_UPLOAD, { input });
  expect(body.errors).toBeUndefined();
  return body.data!.requestUpload;
}

const pdfTicket = (sizeBytes = 1000) =>
  requestTicket({ filename: 'report.pdf', contentType: 'application/pdf', sizeBytes });

const completeError = async (ticketId: string) => {
  const body = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, { ticketId });
  expect(body.data).toBeNull();
  return body.errors![0]!;
};

const withField = (ticket: Ticket, name: string, value: string) =>
  ticket.fields.map((f) => (f.name === name ? { name, value } : f));

describe('the store, under a ticket’s policy', () => {
  it('refuses a file larger than the declared size', async () => {
    const ticket = await pdfTicket(100);
    const before = await stack.counts();
    const pdf = Buffer.concat([pdfBytes('too big'), Buffer.alloc(200, 0x20)]);
    const posted = await postForm(ticket.url, ticket.fields, bytesFile(pdf, 'report.pdf', 'application/pdf'));
    expect(posted.status).toBe(400);
    expect(posted.text).toContain('<Code>EntityTooLarge</Code>');
    expect(await stack.counts()).toEqual(before);
  });

  it('refuses another content type', async () => {
    const ticket = await pdfTicket();
    const before = await stack.counts();
    const fields = withField(ticket, 'Content-Type', 'text/html');
    const posted = await postForm(ticket.url, fields, bytesFile(pdfBytes(), 'report.pdf', 'text/html'));
    expect(posted.status).toBe(403);
    expect(posted.text).toMatch(/<Code>AccessDenied<\/Code>.*Content-Type/s);
    expect(await stack.counts()).toEqual(before);
  });

  it('refuses another key', async () => {
    const ticket = await pdfTicket();
    const before = await stack.counts();
    const fields = withField(ticket, 'key', `_anonymous/${randomUUID()}/elsewhere.pdf`);
    const posted = await postForm(ticket.url, fields, bytesFile(pdfBytes(), 'report.pdf', 'application/pdf'));
    expect(posted.status).toBe(403);
    expect(posted.text).toMatch(/<Code>AccessDenied<\/Code>.*\$key/s);
    expect(await stack.counts()).toEqual(before);
  });

  it('refuses a policy that has expired', async () => {
    const anHourAgo = new Date(Date.now() - 3_600_000);
    const ticket = await requestUpload(
      { em: stack.orm.em.fork(), store: stack.store, config: stack.config },
      null,
      { filename: 'late.pdf', contentType: 'application/pdf', sizeBytes: 1000 },
      anHourAgo,
    );
    expect(ticket.expiresAt.getTime()).toBeLessThan(Date.now());
    const before = await stack.counts();
    const posted = await postForm(
      ticket.url,
      ticket.fields,
      bytesFile(pdfBytes(), 'late.pdf', 'application/pdf'),
    );
    expect(posted.status).toBe(403);
    expect(posted.text).toMatch(/<Code>AccessDenied<\/Code>.*expired/is);
    expect(await stack.counts()).toEqual(before);
  });
});

describe('completeUpload', () => {
  it('refuses an expired ticket (reason EXPIRED) and removes what was uploaded for it', async () => {
    const ticket = await pdfTicket();
    await postForm(
      ticket.url,
      ticket.fields,
      bytesFile(pdfBytes('expired'), 'report.pdf', 'application/pdf'),
    );
    const before = await stack.counts();
    // Past its expiry and the grace period.
    await stack.admin.query(
      `update upload_tickets set expires_at = now() - interval '2 hours' where id = $1`,
      [ticket.id],
    );
    const error = await completeError(ticket.id);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EXPIRED' });
    expect(await stack.counts()).toEqual({ ...before, objects: before.objects - 1 });
  });

  it('answers NOT_FOUND for an unknown ticket and BAD_USER_INPUT for a malformed id', async () => {
    expect((await completeError(randomUUID())).extensions?.code).toBe('NOT_FOUND');
    expect((await completeError('not-a-uuid')).extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a ticket nothing was uploaded for', async () => {
    const ticket = await pdfTicket();
    const before = await stack.counts();
    const error = await completeError(ticket.id);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_UPLOADED' });
    expect(error.message).toMatch(/nothing was uploaded for this ticket/i);
    expect(await stack.counts()).toEqual(before);
  });

  it('refuses a PNG sent under a PDF ticket (UNSUPPORTED_TYPE), removes it and records nothing', async () => {
    const ticket = await pdfTicket();
    const posted = await postForm(
      ticket.url,
      ticket.fields,
      bytesFile(pngBytes(), 'report.pdf', 'application/pdf'),
    );
    expect(posted.status).toBe(204);
    const before = await stack.counts();
    const error = await completeError(ticket.id);
    expect(error.extensions).toMatchObject({ code: 'UNSUPPORTED_TYPE', mimeType: 'image/png' });
    expect(await stack.counts()).toEqual({ ...before, objects: before.objects - 1 });
    expect(await stack.objectKeys()).not.toContain(ticket.fields.find((f) => f.name === 'key')!.value);
    expect(await stack.queuedDocuments()).not.toContain(ticket.id);
  });

  it('refuses, and removes, an object the store should have refused: too large or empty', async () => {
    for (const [content, code] of [
      [Buffer.concat([pdfBytes('over'), Buffer.alloc(1000, 0x20)]), 'FILE_TOO_LARGE'],
      [Buffer.alloc(0), 'EMPTY_FILE'],
    ] as const) {
      const ticket = await pdfTicket();
      const key = ticket.fields.find((f) => f.name === 'key')!.value;
      const before = await stack.counts();
      // Put behind the policy's back, as a store that ignored content-length-range would allow.
      await stack.store.client.putObject(stack.bucket.bucket, key, content, content.length);
      const error = await completeError(ticket.id);
      expect(error.extensions?.code).toBe(code);
      expect(await stack.counts()).toEqual(before);
    }
  });

  it('answers the earlier document for bytes the vault already has (duplicate), keeping one object', async () => {
    const pdf = pdfBytes(`duplicate ${randomUUID()}`);
    const first = await pdfTicket();
    await postForm(first.url, first.fields, bytesFile(pdf, 'first.pdf', 'application/pdf'));
    const original = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, {
      ticketId: first.id,
    });
    const before = await stack.counts();

    const second = await pdfTicket();
    await postForm(second.url, second.fields, bytesFile(pdf, 'second.pdf', 'application/pdf'));
    const body = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, { ticketId: second.id });
    expect(body.data!.completeUpload).toEqual({
      duplicate: true,
      document: original.data!.completeUpload.document,
    });
    expect(await stack.counts()).toEqual({ ...before, tickets: before.tickets + 1 });
    // Asked again, the ticket remembers which document it turned out to be.
    const again = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, {
      ticketId: second.id,
    });
    expect(again.data).toEqual(body.data);
  });
});

describe('requestUpload', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['an empty filename', { filename: '  ' }, { code: 'BAD_USER_INPUT', argument: 'input.filename' }],
    [
      'a filename with a control character',
      { filename: 'invoice\u0007.pdf' },
      { code: 'BAD_USER_INPUT', argument: 'input.filename' },
    ],
    [
      'a filename with a line break',
      { filename: 'a\r\nb.pdf' },
      { code: 'BAD_USER_INPUT', argument: 'input.filename' },
    ],
    ['a filename over 255 characters', { filename: `${'x'.repeat(252)}.pdf` }, { code: 'BAD_USER_INPUT' }],
    ['a size of zero', { sizeBytes: 0 }, { code: 'BAD_USER_INPUT', argument: 'input.sizeBytes' }],
    ['a fractional size', { sizeBytes: 10.5 }, { code: 'BAD_USER_INPUT', argument: 'input.sizeBytes' }],
    [
      'a size over the upload limit',
      { sizeBytes: 1_000_001 },
      { code: 'FILE_TOO_LARGE', maxBytes: 1_000_000 },
    ],
    ['a type the vault does not accept', { contentType: 'image/gif' }, { code: 'UNSUPPORTED_TYPE' }],
    [
      'a folder that does not exist',
      { folderId: randomUUID() },
      { code: 'BAD_USER_INPUT', argument: 'folderId' },
    ],
  ];

  it.each(cases)('refuses %s and records no ticket', async (_name, change, extensions) => {
    const before = await stack.counts();
    const body = await stack.graphql(REQUEST_UPLOAD, {
      input: { filename: 'ok.pdf', contentType: 'application/pdf', sizeBytes: 1000, ...change },
    });
    expect(body.errors?.[0]?.extensions).toMatchObject(extensions);
    expect(await stack.counts()).toEqual(before);
  });

  it('stores a filename without its bidirectional controls, and audits the name as sent', async () => {
    const sent = 'invoice\u202egpj.pdf';
    const pdf = pdfBytes(`bidi ${randomUUID()}`);
    const ticket = await requestTicket({
      filename: sent,
      contentType: 'application/pdf',
      sizeBytes: pdf.length,
    });
    await postForm(ticket.url, ticket.fields, bytesFile(pdf, 'x.pdf', 'application/pdf'));
    const body = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, { ticketId: ticket.id });
    const id = body.data!.completeUpload.document.id;
    const { rows } = await stack.admin.query<{ original_filename: string }>(
      'select original_filename from documents where id = $1',
      [id],
    );
    expect(rows[0]?.original_filename).toBe('invoicegpj.pdf');
    const audit = await stack.admin.query<{ details: Record<string, unknown> }>(
      `select details from audit_log where action = 'UPLOAD' and target = $1`,
      [`document:${id}`],
    );
    expect(audit.rows.map((row) => row.details.submittedFilename)).toEqual([sent]);
  });

  it('puts the ticket’s document into the folder it names', async () => {
    const { rows } = await stack.admin.query<{ id: string }>(
      `insert into folders (name) values ('Direct') returning id`,
    );
    const folderId = rows[0]!.id;
    const ticket = await requestTicket({
      filename: 'in-folder.pdf',
      contentType: 'application/pdf',
      sizeBytes: 1000,
      folderId,
      title: 'Filed directly',
    });
    await postForm(
      ticket.url,
      ticket.fields,
      bytesFile(pdfBytes(`folder ${randomUUID()}`), 'x.pdf', 'application/pdf'),
    );
    const body = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, { ticketId: ticket.id });
    const document = await stack.admin.query(`select folder_id, title from documents where id = $1`, [
      body.data!.completeUpload.document.id,
    ]);
    expect(document.rows[0]).toEqual({ folder_id: folderId, title: 'Filed directly' });
  });
});

describe('the storage subgraph', () => {
  it('serves downloads only, with no database: direct uploads are the documents subgraph fields', async () => {
    const subgraph = await createStorageSubgraph({
      config: loadConfig('storage', storageEnv, {
        NODE_ENV: 'test',
        SECRET_KEY: stack.config.SECRET_KEY,
        // Only for its replay memory of signed calls (unsigned here, under NODE_ENV=test).
        REDIS_URL: stack.config.REDIS_URL,
        MINIO_ENDPOINT: stack.config.MINIO_ENDPOINT,
        MINIO_ROOT_USER: stack.config.MINIO_ROOT_USER,
        MINIO_ROOT_PASSWORD: stack.config.MINIO_ROOT_PASSWORD,
        MINIO_REGION: stack.config.MINIO_REGION,
        MINIO_BUCKET: stack.config.MINIO_BUCKET,
      }),
      logger: createLogger('storage', 'silent'),
      store: stack.store,
    });
    const server = await subgraph.listen('127.0.0.1', 0);
    try {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: REQUEST_UPLOAD,
          variables: { input: { filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 10 } },
        }),
      });
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      // docs/adr/0004-subgraph-boundaries.md: the gateway routes requestUpload to documents.
      expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await server.close();
    }
  });
});
