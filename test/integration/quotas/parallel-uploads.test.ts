import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatewayClient } from '../../support/gateway-client.ts';
import { deterministicText, postMultipart, type PostResult } from '../../support/multipart.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';
import {
  auditRows,
  distinctText,
  documentsOf,
  KiB,
  MiB,
  quotaRow,
  type DocumentRow,
} from './quota-support.ts';
import { startStack, type Stack } from '../../support/stacks/index.ts';
import { uploadOperation } from '../../support/upload-requests.ts';

// Quotas through the gateway, with real HTTP, real multipart bodies and bearer tokens:
// uploads that race for the last bytes of a quota, the early refusals, the release on
// delete, and that no object outlives a refused upload.

const FILE_BYTES = KiB;
const MAX_UPLOAD_BYTES = 16 * MiB;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack('quota-uploads', {
    // ALLOW_ANONYMOUS stays on (the test default): the anonymous vault is tested too.
    gateway: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) },
    documents: { MAX_UPLOAD_BYTES },
  });
});

afterAll(async () => {
  await stack?.close();
});

interface Uploaded {
  duplicate: boolean;
  document: { id: string; sizeBytes: number; sha256: string };
}

function upload(
  user: TestUser | undefined,
  file: { content: Buffer | ReturnType<typeof deterministicText>; filename?: string },
  options: { requestId?: string; folderId?: string } = {},
): Promise<PostResult> {
  const { operations, map } = uploadOperation(options.folderId ? { folderId: options.folderId } : {});
  return postMultipart(
    stack.gatewayUrl,
    {
      operations,
      map,
      files: [{ field: '0', filename: file.filename ?? 'file.txt', content: file.content }],
    },
    {
      headers: {
        ...(user?.headers ?? {}),
        ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
      },
    },
  );
}

const uploadedOf = (result: PostResult): Uploaded | undefined =>
  (result.body.data as { uploadDocument?: Uploaded } | null | undefined)?.uploadDocument;

const codeOf = (result: PostResult) => result.body.errors?.[0]?.extensions?.code;

const graphql = <T>(
  user: TestUser | undefined,
  query: string,
  variables: Record<string, unknown> = {},
  requestId?: string,
): Promise<T> =>
  gatewayClient(stack.gatewayUrl).data<T>(query, variables, {
    ...(user ? { token: user.token } : {}),
    ...(requestId ? { requestId } : {}),
  });

/** Every object in the bucket under the user's prefix (`{userId}/…`). */
async function objectsOf(userId: string): Promise<string[]> {
  const keys = await stack.documents.objectKeys();
  return keys.filter((key) => key.startsWith(`${userId}/`)).sort();
}

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

const keysOf = (rows: readonly DocumentRow[]) => rows.map((row) => row.objectKey).sort();

describe('ten parallel uploads that together exceed the quota', () => {
  let user: TestUser;
  /** The accepted uploads, each with the request id it was sent under. */
  let accepted: (Uploaded & { requestId: string })[];
  const contents = Array.from({ length: 10 }, (_, i) => distinctText(`race file ${i}`, FILE_BYTES));

  beforeAll(async () => {
    // Room for three and a half files: exactly three fit.
    user = await createTestUser(stack.documents.admin, { limitBytes: 3.5 * FILE_BYTES });
  });

  it('accept exactly as many as fit; the rest get QUOTA_EXCEEDED and leave no object', async () => {
    const results = await Promise.all(
      contents.map((content, i) =>
        upload(user, { content, filename: `race-${i}.txt` }, { requestId: `quota-race-${i}` }),
      ),
    );
    accepted = results.flatMap((result, i) => {
      const uploaded = uploadedOf(result);
      return uploaded ? [{ ...uploaded, requestId: `quota-race-${i}` }] : [];
    });
    const refused = results.filter((result) => !uploadedOf(result));

    expect(accepted).toHaveLength(3);
    expect(accepted.every(({ duplicate }) => !duplicate)).toBe(true);
    const acceptedBytes = accepted.reduce((sum, { document }) => sum + document.sizeBytes, 0);
    expect(acceptedBytes).toBe(3 * FILE_BYTES);
    expect(acceptedBytes).toBeLessThanOrEqual(3.5 * FILE_BYTES);
    expect(refused.map(codeOf)).toEqual(Array(7).fill('QUOTA_EXCEEDED'));
    for (const result of refused) {
      expect(result.body.errors?.[0]?.extensions).toMatchObject({ limitBytes: 3.5 * FILE_BYTES });
    }

    expect(await quotaRow(stack.documents.admin, user.id)).toEqual({
      usedBytes: acceptedBytes,
      limitBytes: 3.5 * FILE_BYTES,
    });
    const rows = await documentsOf(stack.documents.admin, user.id);
    expect(rows.map((row) => row.id)).toEqual(accepted.map(({ document }) => document.id).sort());
    // No object outlives a refused upload: the bucket holds the accepted documents' objects only.
    expect(await objectsOf(user.id)).toEqual(keysOf(rows));
    expect(await stack.documents.incompleteUploads()).toEqual([]);
  });

  it('write an UPLOAD audit line with the request id for each accepted upload only', async () => {
    const lines = await auditRows(stack.documents.admin, { action: 'UPLOAD', actorId: user.id });
    expect(lines).toHaveLength(3);
    for (const { document, requestId } of accepted) {
      const line = lines.find((candidate) => candidate.target === `document:${document.id}`);
      expect(line).toMatchObject({
        actorId: user.id,
        action: 'UPLOAD',
        requestId,
        details: { sizeBytes: FILE_BYTES, mimeType: 'text/plain' },
      });
      expect(line?.ip).toMatch(/127\.0\.0\.1|::1/);
    }
  });

  it('give a deleted document’s bytes back, with a DELETE_DOCUMENT audit line', async () => {
    const [first] = accepted;
    const before = await quotaRow(stack.documents.admin, user.id);
    const data = await graphql<{ deleteDocument: boolean }>(
      user,
      'mutation ($id: ID!) { deleteDocument(id: $id) }',
      { id: first!.document.id },
      'quota-delete-1',
    );
    expect(data.deleteDocument).toBe(true);
    expect((await quotaRow(stack.documents.admin, user.id)).usedBytes).toBe(before.usedBytes - FILE_BYTES);
    const rows = await documentsOf(stack.documents.admin, user.id);
    expect(rows).toHaveLength(2);
    expect(await objectsOf(user.id)).toEqual(keysOf(rows));
    expect(
      await auditRows(stack.documents.admin, {
        action: 'DELETE_DOCUMENT',
        target: `document:${first!.document.id}`,
      }),
    ).toEqual([
      expect.objectContaining({
        actorId: user.id,
        requestId: 'quota-delete-1',
        details: { sizeBytes: FILE_BYTES },
      }),
    ]);

    // Deleting it again changes nothing: no second release, no second line.
    const again = await graphql<{ deleteDocument: boolean }>(
      user,
      'mutation ($id: ID!) { deleteDocument(id: $id) }',
      { id: first!.document.id },
    );
    expect(again.deleteDocument).toBe(false);
    expect((await quotaRow(stack.documents.admin, user.id)).usedBytes).toBe(before.usedBytes - FILE_BYTES);
    expect(
      await auditRows(stack.documents.admin, { action: 'DELETE_DOCUMENT', actorId: user.id }),
    ).toHaveLength(1);
  });

  it('answer bytes uploaded again as the existing document and charge nothing', async () => {
    const kept = accepted[1]!.document;
    const content = contents.find((candidate) => sha256(candidate) === kept.sha256)!;
    const before = await quotaRow(stack.documents.admin, user.id);
    const objectsBefore = await objectsOf(user.id);

    const result = await upload(user, { content, filename: 'again.txt' });
    expect(uploadedOf(result)).toEqual({ duplicate: true, document: kept });
    expect(await quotaRow(stack.documents.admin, user.id)).toEqual(before);
    expect(await objectsOf(user.id)).toEqual(objectsBefore);
    expect(await auditRows(stack.documents.admin, { action: 'UPLOAD', actorId: user.id })).toHaveLength(3);
  });
});

describe('a single upload and the quota', () => {
  it('is refused at once when nothing is left', async () => {
    const user = await createTestUser(stack.documents.admin, { limitBytes: 0 });
    const result = await upload(user, { content: distinctText('no room', FILE_BYTES) });
    expect(codeOf(result)).toBe('QUOTA_EXCEEDED');
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ limitBytes: 0, remainingBytes: 0 });
    expect(await objectsOf(user.id)).toEqual([]);
  });

  it('is stopped as QUOTA_EXCEEDED (not FILE_TOO_LARGE) once it outgrows what is left, leaving nothing', async () => {
    // More than one 8 MiB part: the multipart upload to the bucket is under way when it stops.
    const user = await createTestUser(stack.documents.admin, { limitBytes: 9 * MiB });
    const result = await upload(user, { content: deterministicText(12 * MiB, 'outgrows') });
    expect(codeOf(result)).toBe('QUOTA_EXCEEDED');
    expect(await quotaRow(stack.documents.admin, user.id)).toEqual({ usedBytes: 0, limitBytes: 9 * MiB });
    expect(await documentsOf(stack.documents.admin, user.id)).toEqual([]);
    expect(await objectsOf(user.id)).toEqual([]);
    expect(await stack.documents.incompleteUploads()).toEqual([]);
  });

  it('is FILE_TOO_LARGE when it is over the upload limit while the quota has room', async () => {
    const user = await createTestUser(stack.documents.admin, { limitBytes: 64 * MiB });
    const result = await upload(user, { content: deterministicText(MAX_UPLOAD_BYTES + 1, 'too-large') });
    expect(codeOf(result)).toBe('FILE_TOO_LARGE');
    expect(await quotaRow(stack.documents.admin, user.id)).toEqual({ usedBytes: 0, limitBytes: 64 * MiB });
    expect(await objectsOf(user.id)).toEqual([]);
  });

  it('is FORBIDDEN for an account without a quota row', async () => {
    const user = await createTestUser(stack.documents.admin);
    await stack.documents.admin.query('delete from quotas where user_id = $1', [user.id]);
    const result = await upload(user, { content: distinctText('no quota row', FILE_BYTES) });
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(result.body.errors?.[0]?.message).toMatch(/no storage quota/);
    expect(await objectsOf(user.id)).toEqual([]);
  });

  it('is not limited in the anonymous vault', async () => {
    const quotasBefore = await stack.documents.admin.query('select * from quotas order by user_id');
    const result = await upload(undefined, { content: distinctText('anonymous', 64 * KiB) });
    expect(uploadedOf(result)?.document.sizeBytes).toBe(64 * KiB);
    expect((await stack.documents.admin.query('select * from quotas order by user_id')).rows).toEqual(
      quotasBefore.rows,
    );
  });
});

describe('deleting a folder with its documents', () => {
  it('gives all their bytes back in one go, with a DELETE_FOLDER audit line', async () => {
    const user = await createTestUser(stack.documents.admin, { limitBytes: 10 * FILE_BYTES });
    const { createFolder } = await graphql<{ createFolder: { id: string } }>(
      user,
      'mutation { createFolder(name: "Quota folder") { id } }',
    );
    for (const name of ['in folder a', 'in folder b']) {
      const result = await upload(
        user,
        { content: distinctText(name, FILE_BYTES) },
        { folderId: createFolder.id },
      );
      expect(uploadedOf(result)?.duplicate).toBe(false);
    }
    const outside = await upload(user, { content: distinctText('outside', FILE_BYTES) });
    expect(uploadedOf(outside)?.duplicate).toBe(false);
    expect((await quotaRow(stack.documents.admin, user.id)).usedBytes).toBe(3 * FILE_BYTES);

    const data = await graphql<{ deleteFolder: boolean }>(
      user,
      'mutation ($id: ID!) { deleteFolder(id: $id, documents: DELETE_DOCUMENTS) }',
      { id: createFolder.id },
      'quota-delete-folder',
    );
    expect(data.deleteFolder).toBe(true);
    expect((await quotaRow(stack.documents.admin, user.id)).usedBytes).toBe(FILE_BYTES);
    const rows = await documentsOf(stack.documents.admin, user.id);
    expect(rows).toHaveLength(1);
    expect(await objectsOf(user.id)).toEqual(keysOf(rows));
    expect(
      await auditRows(stack.documents.admin, {
        action: 'DELETE_FOLDER',
        target: `folder:${createFolder.id}`,
      }),
    ).toEqual([
      expect.objectContaining({
        actorId: user.id,
        requestId: 'quota-delete-folder',
        details: { mode: 'DELETE_DOCUMENTS', folderCount: 1, documentCount: 2, sizeBytes: 2 * FILE_BYTES },
      }),
    ]);
  });
});
