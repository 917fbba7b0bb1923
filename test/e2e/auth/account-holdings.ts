import { expect } from '@jest/globals';
import { pdfBytes } from '../../integration/uploads/fixtures.ts';
import { uploadOperation } from '../../integration/uploads/upload-stack.ts';
import { bytesFile, postForm } from '../../integration/storage/post-form.ts';
import { gatewayClient } from '../../support/gateway-client.ts';
import { postMultipart } from '../../support/multipart.ts';
import type { Stack } from '../../support/stack.ts';

// What an account holds, put there the ways a client does (uploads through the gateway,
// a completed and an abandoned direct upload, a folder, topics set by hand) plus what a
// client cannot make on its own (a trained classifier model, a multipart upload its
// process died in the middle of); and counted from behind the API, row by row and object
// by object, so a deletion can be checked to the last byte.

export interface Holdings {
  users: number;
  quotas: number;
  usedBytes: number;
  refreshTokens: number;
  documents: number;
  documentTopics: number;
  folders: number;
  topics: number;
  uploadTickets: number;
  classifierModels: number;
  objects: number;
  unfinishedUploads: number;
}

export function holdingsClient(stack: Stack) {
  const client = gatewayClient(stack.gatewayUrl);
  const { admin, bucket } = stack.documents;

  async function upload(token: string, text: string, variables: Record<string, unknown> = {}) {
    const result = await postMultipart(
      stack.gatewayUrl,
      {
        ...uploadOperation({ title: text, ...variables }),
        files: [{ field: '0', filename: 'note.txt', contentType: 'text/plain', content: `${text}\n` }],
      },
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(result.body.errors).toBeUndefined();
    return (result.body.data?.uploadDocument as { document: { id: string } }).document.id;
  }

  async function directUpload(token: string, marker: string, complete: boolean): Promise<string> {
    const { requestUpload: ticket } = await client.data<{
      requestUpload: { id: string; url: string; fields: { name: string; value: string }[] };
    }>(
      `mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { id url fields { name value } } }`,
      { input: { filename: `${marker}.pdf`, contentType: 'application/pdf', sizeBytes: 10_000 } },
      { token },
    );
    const posted = await postForm(
      ticket.url,
      ticket.fields,
      bytesFile(pdfBytes(marker), `${marker}.pdf`, 'application/pdf'),
    );
    expect(posted.status).toBeLessThan(300);
    if (complete) {
      await client.data(
        `mutation ($id: ID!) { completeUpload(ticketId: $id) { document { id } } }`,
        { id: ticket.id },
        {
          token,
        },
      );
    }
    return ticket.id;
  }

  /** Fills an account with one of everything it can hold. */
  async function fill(user: { id: string; token: string }, label: string): Promise<void> {
    const { createFolder } = await client.data<{ createFolder: { id: string } }>(
      'mutation ($n: String!) { createFolder(name: $n) { id } }',
      { n: `${label} folder` },
      { token: user.token },
    );
    const { createTopic } = await client.data<{ createTopic: { id: string } }>(
      'mutation ($n: String!) { createTopic(input: { name: $n, matchMode: NONE }) { id } }',
      { n: `${label} topic` },
      { token: user.token },
    );
    const first = await upload(user.token, `${label} first note`, { folderId: createFolder.id });
    await upload(user.token, `${label} second note`);
    await client.data(
      'mutation ($id: ID!, $t: [ID!]) { updateDocument(id: $id, input: { topicIds: $t }) { id } }',
      { id: first, t: [createTopic.id] },
      { token: user.token },
    );
    await directUpload(user.token, `${label}-completed`, true);
    await directUpload(user.token, `${label}-abandoned`, false);
    await admin.query(
      `insert into classifier_models (user_id, model, documents_used, topics, size_bytes)
       values ($1, '{}'::jsonb, 1, 1, 2)`,
      [user.id],
    );
    // An upload cut off after its first part, as when the store or the subgraph died mid-way.
    const key = `${user.id}/${crypto.randomUUID()}/${crypto.randomUUID()}.pdf`;
    const uploadID = await bucket.client.initiateNewMultipartUpload(bucket.bucket, key, {});
    await bucket.client.uploadPart(
      { bucketName: bucket.bucket, objectName: key, uploadID, partNumber: 1, headers: {} },
      Buffer.alloc(1024, 1),
    );
  }

  async function count(userId: string): Promise<Holdings> {
    const { rows } = await admin.query<Omit<Holdings, 'objects' | 'unfinishedUploads'>>(
      `select
         (select count(*) from users where id = $1)::int as users,
         (select count(*) from quotas where user_id = $1)::int as quotas,
         (select coalesce(sum(used_bytes), 0) from quotas where user_id = $1)::float8 as "usedBytes",
         (select count(*) from refresh_tokens where user_id = $1)::int as "refreshTokens",
         (select count(*) from documents where user_id = $1)::int as documents,
         (select count(*) from document_topics where document_id in
            (select id from documents where user_id = $1)
            or topic_id in (select id from topics where user_id = $1))::int as "documentTopics",
         (select count(*) from folders where user_id = $1)::int as folders,
         (select count(*) from topics where user_id = $1)::int as topics,
         (select count(*) from upload_tickets where user_id = $1)::int as "uploadTickets",
         (select count(*) from classifier_models where user_id = $1)::int as "classifierModels"`,
      [userId],
    );
    let objects = 0;
    for await (const item of bucket.client.listObjectsV2(bucket.bucket, `${userId}/`, true))
      if (item.name) objects += 1;
    const page = await bucket.client.listIncompleteUploadsQuery(bucket.bucket, `${userId}/`, '', '', '');
    return { ...rows[0]!, objects, unfinishedUploads: page.uploads.length };
  }

  return { fill, count, upload };
}

export const NOTHING: Holdings = {
  users: 0,
  quotas: 0,
  usedBytes: 0,
  refreshTokens: 0,
  documents: 0,
  documentTopics: 0,
  folders: 0,
  topics: 0,
  uploadTickets: 0,
  classifierModels: 0,
  objects: 0,
  unfinishedUploads: 0,
};
