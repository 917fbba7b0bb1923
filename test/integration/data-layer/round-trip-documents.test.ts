import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  updateDocumentRow,
  deleteDocumentRow,
} from '@docuvault/documents/documents/document-edits.repository';
import { findDocumentsByIds, listDocuments } from '@docuvault/documents/documents/documents.repository';
import { listScope } from '@docuvault/documents/sharing/visibility';
import { documentFilterCondition } from '@docuvault/documents/documents/search-filters.repository';
import { findHeadlines } from '@docuvault/documents/documents/highlights.repository';
import { countSearchMatches, searchDocuments } from '@docuvault/documents/documents/search.repository';
import {
  findFoldersByIds,
  insertFolder,
  listFolders,
  renameFolderRow,
} from '@docuvault/documents/folders/folders.repository';
import { findTicket, insertTicket } from '@docuvault/documents/direct-uploads/tickets.repository';
import { findIdBySha256, insertUploadedDocument } from '@docuvault/documents/uploads/uploads.repository';
import {
  insertTopic,
  listTopics,
  lockTopic,
  updateTopicRow,
} from '@docuvault/documents/topics/topics.repository';
import { isForeignKeyViolation, isUniqueViolation } from '@docuvault/documents/data/query-helpers';
import { addUsedBytes, findQuota, subtractUsedBytes } from '@docuvault/documents/quotas/quotas.repository';
import { AWKWARD_VALUES } from '../../support/awkward-values.ts';
import { recordStatements, type SentStatement } from '../../support/sql-recorder.ts';
import { createDocumentsTestDeps, type DocumentsTestDeps } from '../../support/stacks/index.ts';
import { createTestUser } from '../../support/users.ts';

// Every text the ported repositories store or match, set to each awkward value (`?`, `??`,
// `$1`, quotes, backslashes, non-ASCII) and read back byte for byte. Values are bind
// parameters, so nothing in them can change the statement around them.

const cases = AWKWARD_VALUES.map((value, index) => [value, index] as const);
const sha256Of = (text: string) => createHash('sha256').update(text).digest('hex');

describe('data layer: awkward values round-trip through the documents repositories', () => {
  let stack: DocumentsTestDeps;
  const em = () => stack.orm.em.fork();

  beforeAll(async () => {
    stack = await createDocumentsTestDeps('round-trip-documents');
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** A document row with every text column the upload path writes set to `value`. */
  async function insertDocument(value: string, index: number): Promise<string> {
    const id = randomUUID();
    const inserted = await insertUploadedDocument(em(), {
      id,
      owner: null,
      folderId: null,
      title: value,
      originalFilename: value,
      declaredMimeType: value,
      mimeType: value,
      sizeBytes: index + 1,
      sha256: sha256Of(`round-trip ${index}`),
      objectKey: `round-trip/${id}/${value}`,
    });
    expect(inserted).toBe(true);
    return id;
  }

  it.each(cases)(
    'stores and reads back a document whose title, filename and type are %j',
    async (value, index) => {
      const id = await insertDocument(value, index);
      const found = (await findDocumentsByIds(em(), null, [id])).get(id);
      expect(found).toMatchObject({
        title: value,
        originalFilename: value,
        mimeType: value,
        objectKey: `round-trip/${id}/${value}`,
      });
      expect(await findIdBySha256(em(), null, sha256Of(`round-trip ${index}`))).toBe(id);

      const listed = await listDocuments(
        em(),
        listScope(null, false),
        documentFilterCondition({ mimeTypes: [value], sharedWithMe: false }),
        undefined,
        10,
      );
      expect(listed.map((document) => document.id)).toEqual([id]);

      const retitled = await updateDocumentRow(em(), null, id, { title: `${value} ${value}` });
      expect(retitled?.title).toBe(`${value} ${value}`);
      const { rows } = await stack.admin.query<{ declared: string }>(
        'select declared_mime_type as declared from documents where id = $1',
        [id],
      );
      expect(rows[0]?.declared).toBe(value);
    },
  );

  it.each(cases)(
    'searches for %j without an error and matches what PostgreSQL matches',
    async (value, index) => {
      // A document of its own, so each query has at least the one whose title is that value.
      const id = await insertDocument(`${value} searchable`, index + AWKWARD_VALUES.length);
      const expected = await stack.admin.query<{ id: string }>(
        `select id from documents
       where user_id is null and search_vector @@ (websearch_to_tsquery('english', $1)
             || websearch_to_tsquery('german', $1) || websearch_to_tsquery('simple', $1))
       order by id`,
        [value],
      );
      const hits = await searchDocuments(em(), null, value, undefined, 100);
      expect(hits.map((hit) => hit.document.id).sort()).toEqual(expected.rows.map((row) => row.id));
      expect(await countSearchMatches(em(), null, value)).toEqual({
        count: expected.rows.length,
        exact: true,
      });
      const headlines = await findHeadlines(em(), null, [id], value);
      expect(headlines.get(id)?.title).toEqual(expect.any(String));
      await deleteDocumentRow(em(), null, id);
    },
  );

  it('finds a word written next to the awkward characters, and only where it is written', async () => {
    const id = await insertDocument("zebraword?' $1 \\ 東京 quagga", 1000);
    const hits = await searchDocuments(em(), null, 'zebraword', undefined, 10);
    expect(hits.map((hit) => hit.document.id)).toEqual([id]);
    // Both words must match (websearch ANDs them); the `??` and the backslash are no syntax to it.
    const both = await searchDocuments(em(), null, 'zebraword ?? \\ 東京', undefined, 10);
    expect(both.map((hit) => hit.document.id)).toEqual([id]);
    expect(await searchDocuments(em(), null, "zebraword?' -quagga", undefined, 10)).toEqual([]);
    await deleteDocumentRow(em(), null, id);
  });

  it.each(cases)('stores and reads back a folder named %j, and renames it', async (value) => {
    const folder = await insertFolder(em(), null, value, null);
    expect(folder.name).toBe(value);
    expect((await findFoldersByIds(em(), null, [folder.id])).get(folder.id)?.name).toBe(value);
    expect((await listFolders(em(), null)).find((listed) => listed.id === folder.id)?.name).toBe(value);
    const renamed = await renameFolderRow(em(), null, folder.id, `${value}/${value}`);
    expect(renamed?.name).toBe(`${value}/${value}`);
  });

  it.each(cases)('stores and reads back a topic named %j with that pattern', async (value) => {
    const topic = await insertTopic(em(), null, {
      name: value,
      matchMode: 'ANY',
      pattern: value,
      caseSensitive: true,
    });
    expect(topic).toMatchObject({ name: value, pattern: value, matchMode: 'ANY', caseSensitive: true });
    expect((await listTopics(em(), null)).find((listed) => listed.id === topic.id)).toEqual(topic);
    const updated = await updateTopicRow(em(), null, topic.id, {
      name: `${value}!`,
      matchMode: 'EXACT',
      pattern: `${value}${value}`,
      caseSensitive: false,
    });
    expect(updated).toMatchObject({ name: `${value}!`, pattern: `${value}${value}` });
    const locked = await em().transactional((trx) => lockTopic(trx, null, topic.id));
    expect(locked).toEqual(updated);
  });

  it.each(cases)('stores and reads back an upload ticket for a file named %j', async (value) => {
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + 60_000);
    await insertTicket(em(), {
      id,
      owner: null,
      objectKey: `round-trip-ticket/${id}/${value}`,
      filename: value,
      declaredContentType: value,
      maxSizeBytes: 1024,
      title: value,
      folderId: null,
      expiresAt,
    });
    expect(await findTicket(em(), null, id)).toEqual({
      id,
      owner: null,
      objectKey: `round-trip-ticket/${id}/${value}`,
      filename: value,
      declaredContentType: value,
      maxSizeBytes: 1024,
      title: value,
      folderId: null,
      expiresAt,
      completedDocumentId: null,
    });
  });

  it('sends every value as a $n bind parameter, never in the SQL text', async () => {
    const sent: SentStatement[] = [];
    let recording = false;
    await recordStatements(stack.orm, (statement) => {
      if (recording) sent.push(statement);
    });
    const value = "needle?' $1 \\ ??";
    recording = true;
    const topic = await insertTopic(em(), null, {
      name: value,
      matchMode: 'ANY',
      pattern: value,
      caseSensitive: false,
    });
    await searchDocuments(em(), null, value, { rank: 0.5, id: topic.id }, 5);
    await listDocuments(
      em(),
      listScope(null, false),
      documentFilterCondition({ text: value, mimeTypes: [value], sharedWithMe: false }),
      undefined,
      5,
    );
    recording = false;
    // The insert; search's head, then its tail (the head, empty here, cannot fill the page);
    // the listing.
    expect(sent).toHaveLength(4);
    for (const statement of sent) {
      expect(statement.text).toMatch(/\$1\b/);
      expect(statement.text).not.toContain('needle');
      expect(JSON.stringify(statement.values)).toContain('needle');
    }
  });

  it('charges and refunds a quota in one conditional statement each', async () => {
    const user = await createTestUser(stack.admin, { limitBytes: 100 });
    expect(await addUsedBytes(em(), user.id, 60)).toEqual({ usedBytes: 60, limitBytes: 100 });
    expect(await addUsedBytes(em(), user.id, 60)).toBeUndefined();
    await subtractUsedBytes(em(), user.id, 1000);
    expect(await findQuota(em(), user.id)).toEqual({ usedBytes: 0, limitBytes: 100 });
  });

  it('recognises unique and foreign-key violations as they surface through Kysely', async () => {
    await insertTopic(em(), null, { name: 'taken', matchMode: 'AUTO', pattern: null, caseSensitive: false });
    const duplicate = await insertTopic(em(), null, {
      name: 'taken',
      matchMode: 'AUTO',
      pattern: null,
      caseSensitive: false,
    }).catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isForeignKeyViolation(duplicate)).toBe(false);
    const orphan = await insertFolder(em(), null, 'orphan', randomUUID()).catch((error: unknown) => error);
    expect(isForeignKeyViolation(orphan)).toBe(true);
    expect(isUniqueViolation(orphan)).toBe(false);
  });
});
