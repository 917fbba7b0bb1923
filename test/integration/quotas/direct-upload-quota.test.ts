import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodePrincipal, PRINCIPAL_HEADER } from '@docuvault/shared/auth/principal';
import { bytesFile, postForm } from '../storage/post-form.ts';
import { COMPLETE_UPLOAD, REQUEST_UPLOAD, type Completed, type Ticket } from '../storage/ticket-stack.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';
import { auditRows, distinctText, documentsOf, KiB, quotaRow } from './quota-support.ts';
import { startTicketStack, type TicketStack } from '../../support/stacks/index.ts';

// Quotas on the direct upload path (storage subgraph: requestUpload, a POST straight to
// the bucket, completeUpload). The storage subgraph is called as the gateway would call
// it, with the user's principal (signatures are off here, so the header is believed).

const FILE_BYTES = 2 * KiB;
let stack: TicketStack;

beforeAll(async () => {
  stack = await startTicketStack('quota-direct-upload');
});

afterAll(async () => {
  await stack?.close();
});

const as = (user: TestUser) => ({
  [PRINCIPAL_HEADER]: encodePrincipal({ kind: 'user', id: user.id, roles: ['USER'] }),
});

async function requestTicket(user: TestUser, sizeBytes: number) {
  return stack.graphql<{ requestUpload: Ticket }>(
    REQUEST_UPLOAD,
    { input: { filename: 'notes.txt', contentType: 'text/plain', sizeBytes } },
    as(user),
  );
}

async function ticketFor(user: TestUser, content: Buffer): Promise<Ticket> {
  const body = await requestTicket(user, content.length);
  expect(body.errors).toBeUndefined();
  const ticket = body.data!.requestUpload;
  const posted = await postForm(ticket.url, ticket.fields, bytesFile(content, 'notes.txt', 'text/plain'));
  expect(posted.status).toBe(204);
  return ticket;
}

const complete = (user: TestUser, ticketId: string, requestId: string) =>
  stack.graphql<{ completeUpload: Completed }>(
    COMPLETE_UPLOAD,
    { ticketId },
    { ...as(user), 'x-request-id': requestId },
  );

async function objectsOf(userId: string): Promise<string[]> {
  return (await stack.objectKeys()).filter((key) => key.startsWith(`${userId}/`));
}

async function ticketRow(id: string) {
  const { rows } = await stack.admin.query<{ completed: string | null }>(
    'select completed_document_id as completed from upload_tickets where id = $1',
    [id],
  );
  return rows[0];
}

describe('requestUpload', () => {
  it('refuses a declared size beyond what is left of the quota, and hands out one within it', async () => {
    const user = await createTestUser(stack.admin, { limitBytes: 3 * KiB });
    await stack.admin.query('update quotas set used_bytes = $2 where user_id = $1', [user.id, KiB]);
    const before = await stack.counts();

    const refused = await requestTicket(user, 2 * KiB + 1);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      limitBytes: 3 * KiB,
      usedBytes: KiB,
      remainingBytes: 2 * KiB,
    });
    expect(await stack.counts()).toEqual(before);

    const accepted = await requestTicket(user, 2 * KiB);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.requestUpload.maxSizeBytes).toBe(2 * KiB);
  });
});

describe('completeUpload', () => {
  it('refuses an upload that no longer fits, removes it and leaves the ticket open to complete later', async () => {
    const user = await createTestUser(stack.admin, { limitBytes: 3 * FILE_BYTES });
    const content = distinctText('completed later', FILE_BYTES);
    const ticket = await ticketFor(user, content);
    // Other uploads took the room since the ticket was handed out.
    await stack.admin.query('update quotas set used_bytes = $2 where user_id = $1', [
      user.id,
      2 * FILE_BYTES + 1,
    ]);

    const refused = await complete(user, ticket.id, 'quota-complete-refused');
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(await objectsOf(user.id)).toEqual([]);
    expect(await documentsOf(stack.admin, user.id)).toEqual([]);
    expect(await ticketRow(ticket.id)).toEqual({ completed: null });
    expect((await quotaRow(stack.admin, user.id)).usedBytes).toBe(2 * FILE_BYTES + 1);

    // Room again: the same ticket takes a new POST and completes, charged exactly once.
    await stack.admin.query('update quotas set used_bytes = 0 where user_id = $1', [user.id]);
    const posted = await postForm(ticket.url, ticket.fields, bytesFile(content, 'notes.txt', 'text/plain'));
    expect(posted.status).toBe(204);
    const completed = await complete(user, ticket.id, 'quota-complete-accepted');
    expect(completed.errors).toBeUndefined();
    expect(completed.data?.completeUpload).toEqual({ duplicate: false, document: { id: ticket.id } });
    expect((await quotaRow(stack.admin, user.id)).usedBytes).toBe(FILE_BYTES);
    const rows = await documentsOf(stack.admin, user.id);
    expect(await objectsOf(user.id)).toEqual(rows.map((row) => row.objectKey));
    expect(await ticketRow(ticket.id)).toEqual({ completed: ticket.id });
    expect(await auditRows(stack.admin, { action: 'UPLOAD', target: `document:${ticket.id}` })).toEqual([
      expect.objectContaining({
        actorId: user.id,
        requestId: 'quota-complete-accepted',
        details: { sizeBytes: FILE_BYTES, mimeType: 'text/plain' },
      }),
    ]);

    // Completing again answers the same document and charges nothing more.
    const again = await complete(user, ticket.id, 'quota-complete-again');
    expect(again.data?.completeUpload).toEqual({ duplicate: false, document: { id: ticket.id } });
    expect((await quotaRow(stack.admin, user.id)).usedBytes).toBe(FILE_BYTES);
  });

  it('accepts, of completions racing for the quota, exactly those that fit, and keeps no object of the rest', async () => {
    // Each ticket fits on its own; two of the three fit together.
    const user = await createTestUser(stack.admin, { limitBytes: 2.5 * FILE_BYTES });
    const tickets = await Promise.all(
      [0, 1, 2].map((i) => ticketFor(user, distinctText(`racing ticket ${i}`, FILE_BYTES))),
    );
    const results = await Promise.all(
      tickets.map((ticket, i) => complete(user, ticket.id, `quota-ticket-race-${i}`)),
    );
    const accepted = results.filter((result) => result.data?.completeUpload);
    const refused = results.filter((result) => !result.data?.completeUpload);
    expect(accepted).toHaveLength(2);
    expect(refused.map((result) => result.errors?.[0]?.extensions?.code)).toEqual(['QUOTA_EXCEEDED']);
    expect((await quotaRow(stack.admin, user.id)).usedBytes).toBe(2 * FILE_BYTES);
    const rows = await documentsOf(stack.admin, user.id);
    expect(rows).toHaveLength(2);
    // The documents' own copies only: every ticket's upload is gone, accepted or refused.
    expect((await objectsOf(user.id)).sort()).toEqual(rows.map((row) => row.objectKey).sort());
  });
});
