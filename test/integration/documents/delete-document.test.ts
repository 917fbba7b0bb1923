import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createDocumentsSubgraph } from '@docuvault/documents/documents-subgraph';
import { runObjectRemovals } from '@docuvault/documents/object-removals/object-removals';
import { pino } from 'pino';
import { seedDocument } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

const DELETE = 'mutation($id: ID!) { deleteDocument(id: $id) }';

describe('documents: deleteDocument', () => {
  let subgraph: DocumentsTestServer;

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-delete');
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  async function storedDocument(title: string) {
    const document = await seedDocument(subgraph.admin, { title });
    await subgraph.bucket.client.putObject(
      subgraph.bucket.bucket,
      document.objectKey,
      Buffer.from(`bytes of ${title}`),
    );
    return document;
  }

  const objectExists = (key: string) =>
    subgraph.bucket.client.statObject(subgraph.bucket.bucket, key).then(
      () => true,
      (error: { code?: string }) => {
        if (error.code === 'NotFound' || error.code === 'NoSuchKey') return false;
        throw error;
      },
    );

  it('removes the row, its topic links and the stored object; a second call answers false', async () => {
    const document = await storedDocument('To be deleted');
    const topic = await subgraph.graphql<{ createTopic: { id: string } }>(
      'mutation { createTopic(input: { name: "T" }) { id } }',
    );
    await subgraph.admin.query(
      `insert into document_topics (document_id, topic_id, confidence, source) values ($1, $2, 1, 'MANUAL')`,
      [document.id, topic.data!.createTopic.id],
    );
    expect(await objectExists(document.objectKey)).toBe(true);

    expect(await subgraph.graphql(DELETE, { id: document.id })).toEqual({ data: { deleteDocument: true } });
    const { rows } = await subgraph.admin.query(
      `select (select count(*)::int from documents where id = $1) as documents,
              (select count(*)::int from document_topics where document_id = $1) as links`,
      [document.id],
    );
    expect(rows[0]).toEqual({ documents: 0, links: 0 });
    expect(await objectExists(document.objectKey)).toBe(false);
    const again = await subgraph.graphql<{ document: null }>('query($id: ID!) { document(id: $id) { id } }', {
      id: document.id,
    });
    expect(again.data).toEqual({ document: null });

    expect(await subgraph.graphql(DELETE, { id: document.id })).toEqual({ data: { deleteDocument: false } });
  });

  it('deletes a document whose object is already gone', async () => {
    const document = await seedDocument(subgraph.admin, { title: 'No bytes' });
    expect(await subgraph.graphql(DELETE, { id: document.id })).toEqual({ data: { deleteDocument: true } });
  });

  const queuedRemovals = async (key: string) =>
    (await subgraph.admin.query('select key from object_removals where key = $1', [key])).rowCount;

  it('queues its objects in the same transaction and takes them off the queue once the store removed them', async () => {
    const document = await storedDocument('Queued then removed');
    expect(await subgraph.graphql(DELETE, { id: document.id })).toEqual({ data: { deleteDocument: true } });
    expect(await objectExists(document.objectKey)).toBe(false);
    expect(await queuedRemovals(document.objectKey)).toBe(0);
  });

  it('still deletes the row when the object store fails; the object stays queued until the sweeper removes it', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    // The same database, but a bucket that does not exist: every object call fails.
    const broken = await createDocumentsSubgraph({
      ...subgraph.deps,
      logger,
      store: { client: subgraph.deps.store.client, bucket: 'no-such-bucket-docuvault-test' },
    });
    let running: RunningServer | undefined;
    try {
      running = await broken.listen('127.0.0.1', 0);
      const document = await storedDocument('Store is down');
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
        body: JSON.stringify({ query: DELETE, variables: { id: document.id } }),
      });
      expect(await response.json()).toEqual({ data: { deleteDocument: true } });
      const { rowCount } = await subgraph.admin.query('select 1 from documents where id = $1', [document.id]);
      expect(rowCount).toBe(0);
      const warnings = lines
        .map((line) => JSON.parse(line) as { level: number; msg: string; keys?: string[] })
        .filter((l) => l.level === 40 && l.msg.includes('object-removal sweeper'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.keys).toEqual([document.objectKey]);
      // Not forgotten: queued, and the object is still in the (real) bucket.
      expect(await queuedRemovals(document.objectKey)).toBe(1);
      expect(await objectExists(document.objectKey)).toBe(true);

      // The store is back (the real bucket): a sweep removes the object and empties the queue.
      const { removed } = await runObjectRemovals({
        em: subgraph.deps.em,
        store: subgraph.deps.store,
        logger,
      });
      expect(removed.length).toBeGreaterThanOrEqual(1);
      expect(await objectExists(document.objectKey)).toBe(false);
      expect(await queuedRemovals(document.objectKey)).toBe(0);
    } finally {
      await running?.close();
    }
  });
});
