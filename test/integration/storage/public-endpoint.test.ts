import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { pdfBytes } from '../uploads/fixtures.ts';
import { bytesFile, postForm } from './post-form.ts';
import { COMPLETE_UPLOAD, REQUEST_UPLOAD, type Completed, type Ticket } from './ticket-stack.ts';
import { startTicketStack, type TicketStack } from '../../support/stacks/index.ts';

// MINIO_PUBLIC_ENDPOINT: presigned URLs name the host clients use, and are signed for it
// (the host is part of a SigV4 signature). Here the store is reached at 127.0.0.1 and
// "published" as localhost: the same server under another name.

let stack: TicketStack;
let publicEndpoint: string;

beforeAll(async () => {
  const internal = new URL(process.env.TEST_S3_ENDPOINT!);
  publicEndpoint = `${internal.protocol}//localhost:${internal.port}`;
  stack = await startTicketStack('public-endpoint', { MINIO_PUBLIC_ENDPOINT: publicEndpoint });
});

afterAll(async () => {
  await stack?.close();
});

describe('presigning for MINIO_PUBLIC_ENDPOINT', () => {
  it('signs download URLs for the public host, where the store serves them', async () => {
    const key = `_anonymous/${randomUUID()}/${randomUUID()}.pdf`;
    const content = pdfBytes('public');
    await stack.bucket.client.putObject(stack.bucket.bucket, key, content, content.length);
    const body = await stack.storageGraphql<{ _entities: { download: { url: string } }[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Document { download { url } } } }`,
      {
        r: [
          {
            __typename: 'Document',
            id: randomUUID(),
            objectKey: key,
            originalFilename: 'a.pdf',
            mimeType: 'application/pdf',
          },
        ],
      },
    );
    const { url } = body.data!._entities[0]!.download;
    expect(url.startsWith(`${publicEndpoint}/${stack.bucket.bucket}/`)).toBe(true);
    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(content);
    // The very same URL under the internal host fails: the signature covers the host.
    const internal = await fetch(url.replace(publicEndpoint, stack.config.MINIO_ENDPOINT));
    await internal.arrayBuffer();
    expect(internal.status).toBe(403);
  });

  it('hands out upload forms on the public host, and completes what arrives through it', async () => {
    const requested = await stack.graphql<{ requestUpload: Ticket }>(REQUEST_UPLOAD, {
      input: { filename: 'public.pdf', contentType: 'application/pdf', sizeBytes: 1000 },
    });
    const ticket = requested.data!.requestUpload;
    expect(ticket.url).toBe(`${publicEndpoint}/${stack.bucket.bucket}`);
    const posted = await postForm(
      ticket.url,
      ticket.fields,
      bytesFile(pdfBytes(randomUUID()), 'p.pdf', 'application/pdf'),
    );
    expect(posted.status).toBe(204);
    const completed = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, {
      ticketId: ticket.id,
    });
    expect(completed.data?.completeUpload.document.id).toBe(ticket.id);
  });

  it('signs without any network access to the public host', async () => {
    const store = createObjectStore({
      ...stack.config,
      MINIO_PUBLIC_ENDPOINT: 'https://s3.docuvault.invalid:9443',
    });
    const url = await store.client.presignedGetObject(store.bucket, 'a/b.pdf', 60);
    expect(url).toMatch(/^https:\/\/s3\.docuvault\.invalid:9443\//);
    const policy = store.client.newPostPolicy();
    policy.setBucket(store.bucket);
    policy.setKey('a/b.pdf');
    policy.setExpires(new Date(Date.now() + 60_000));
    const { postURL } = await store.client.presignedPostPolicy(policy);
    expect(postURL).toBe(`https://s3.docuvault.invalid:9443/${store.bucket}`);
    // Everything else still goes to the internal endpoint.
    expect(await store.client.bucketExists(store.bucket)).toBe(true);
  });
});
