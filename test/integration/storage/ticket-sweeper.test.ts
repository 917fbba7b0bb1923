import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@docuvault/shared/logging/logger';
import { startTicketSweeper, sweepOnce } from '@docuvault/documents/direct-uploads/ticket-sweeper';
import { pdfBytes } from '../uploads/fixtures.ts';
import { bytesFile, postForm } from './post-form.ts';
import { COMPLETE_UPLOAD, REQUEST_UPLOAD, type Completed, type Ticket } from './ticket-stack.ts';
import { eventually } from '../../support/eventually.ts';
import { startTicketStack, type TicketStack } from '../../support/stacks/index.ts';

let stack: TicketStack;

beforeAll(async () => {
  stack = await startTicketStack('ticket-sweeper');
});

afterAll(async () => {
  await stack?.close();
});

const sweep = () =>
  sweepOnce({
    em: stack.orm.em,
    store: stack.store,
    logger: createLogger('storage', 'silent'),
    config: stack.config,
  });

async function uploadedTicket(): Promise<{ ticket: Ticket; key: string }> {
  const body = await stack.graphql<{ requestUpload: Ticket }>(REQUEST_UPLOAD, {
    input: { filename: 'swept.pdf', contentType: 'application/pdf', sizeBytes: 1000 },
  });
  const ticket = body.data!.requestUpload;
  const posted = await postForm(
    ticket.url,
    ticket.fields,
    bytesFile(pdfBytes(randomUUID()), 'swept.pdf', 'application/pdf'),
  );
  expect(posted.status).toBe(204);
  return { ticket, key: ticket.fields.find((f) => f.name === 'key')!.value };
}

/** Moves a ticket's expiry back beyond the grace period, as time would. */
const expire = (id: string) =>
  stack.admin.query(
    `update upload_tickets set expires_at = now() - make_interval(secs => $2 + 60) where id = $1`,
    [id, stack.config.UPLOAD_TICKET_GRACE_SECONDS],
  );

describe('the ticket sweeper', () => {
  it('removes an expired ticket that was never completed, and the object uploaded for it', async () => {
    const expired = await uploadedTicket();
    const live = await uploadedTicket();
    await expire(expired.ticket.id);
    const before = await stack.counts();

    expect(await sweep()).toEqual({ swept: [expired.ticket.id], failed: [] });
    expect(await stack.counts()).toEqual({
      documents: before.documents,
      tickets: before.tickets - 1,
      objects: before.objects - 1,
    });
    const keys = await stack.objectKeys();
    expect(keys).not.toContain(expired.key);
    expect(keys).toContain(live.key);
  });

  it('leaves a ticket within its grace period: a POST that started in time may still be completing', async () => {
    const { ticket } = await uploadedTicket();
    await stack.admin.query(
      `update upload_tickets set expires_at = now() - interval '1 minute' where id = $1`,
      [ticket.id],
    );
    const before = await stack.counts();
    expect((await sweep()).swept).not.toContain(ticket.id);
    expect(await stack.counts()).toEqual(before);
    const body = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, { ticketId: ticket.id });
    expect(body.data?.completeUpload.duplicate).toBe(false);
  });

  it('removes an expired completed ticket and a re-POST at its key, but never the document’s object', async () => {
    const { ticket, key } = await uploadedTicket();
    const body = await stack.graphql<{ completeUpload: Completed }>(COMPLETE_UPLOAD, { ticketId: ticket.id });
    const documentId = body.data!.completeUpload.document.id;
    // The policy is used again after completion: an object nobody will complete.
    await postForm(
      ticket.url,
      ticket.fields,
      bytesFile(pdfBytes(randomUUID()), 'again.pdf', 'application/pdf'),
    );
    await expire(ticket.id);
    const before = await stack.counts();

    expect((await sweep()).swept).toContain(ticket.id);
    const { rows } = await stack.admin.query<{ object_key: string }>(
      'select object_key from documents where id = $1',
      [documentId],
    );
    const keys = await stack.objectKeys();
    expect(keys).toContain(rows[0]!.object_key);
    expect(keys).not.toContain(key);
    expect(await stack.counts()).toEqual({
      documents: before.documents,
      tickets: before.tickets - 1,
      objects: before.objects - 1,
    });
  });

  it('runs on its interval once started, and stops', async () => {
    const { ticket, key } = await uploadedTicket();
    await expire(ticket.id);
    const sweeper = startTicketSweeper({
      em: stack.orm.em,
      store: stack.store,
      logger: createLogger('storage', 'silent'),
      config: { ...stack.config, UPLOAD_SWEEP_INTERVAL_SECONDS: 1 },
    });
    try {
      expect(await eventually(async () => !(await stack.objectKeys()).includes(key), 5_000)).toBe(true);
    } finally {
      await sweeper.stop();
    }
    const { rows } = await stack.admin.query('select 1 from upload_tickets where id = $1', [ticket.id]);
    expect(rows).toEqual([]);
  });

  it('has nothing to do when no ticket has expired', async () => {
    const before = await stack.counts();
    expect(await sweep()).toEqual({ swept: [], failed: [] });
    expect(await stack.counts()).toEqual(before);
  });
});
