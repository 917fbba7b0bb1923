import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runObjectRemovals } from '@docuvault/documents/object-removals/object-removals';
import { makeThumbnail, type ThumbnailDeps } from '@docuvault/documents/thumbnails/thumbnails.service';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { pino } from 'pino';
import { textPdf } from '../../fixtures/pdf.ts';
import { startClassificationStack, type ClassificationStack } from '../classification/support.ts';

// A thumbnail is stored before its document names it. A worker that dies in between
// (killed, out of memory) must not leave an object nobody names: its removal is queued
// before the upload, due an hour later, and taken back when the thumbnail is recorded.

let stack: ClassificationStack;
const logger = pino({ level: 'silent' });
const settings = { memoryLimitMb: 256, searchPath: process.env.PATH ?? '', timeoutMs: 30_000 };

beforeAll(async () => {
  stack = await startClassificationStack('unrecorded-thumbnails');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const putPdf = (title: string) =>
  stack.putDocument({ title, filename: `${title}.pdf`, mimeType: 'application/pdf', body: textPdf(title) });

async function thumbnailObjects(documentId: string): Promise<string[]> {
  const { rows } = await stack.admin.query<{ key: string }>(
    'select object_key as key from documents where id = $1',
    [documentId],
  );
  const prefix = rows[0]!.key.slice(0, rows[0]!.key.lastIndexOf('/') + 1);
  const names: string[] = [];
  for await (const item of stack.bucket.client.listObjectsV2(stack.bucket.bucket, prefix, true)) {
    const name = (item as { name: string }).name;
    if (name.slice(prefix.length).startsWith('thumbnail-')) names.push(name);
  }
  return names;
}

const queued = async (key: string) =>
  (
    await stack.admin.query<{ due_in: number }>(
      'select extract(epoch from not_before - now())::int as due_in from object_removals where key = $1',
      [key],
    )
  ).rows;

const sweep = () => runObjectRemovals({ em: stack.deps.em, store: stack.deps.store, logger });

/** The real store, except that the worker "dies" right after the upload: nothing after it runs. */
function storeThatDiesAfterUpload(): ObjectStore {
  const real = stack.deps.store;
  const client = Object.create(real.client) as typeof real.client;
  client.putObject = (async (...args: Parameters<typeof real.client.putObject>) => {
    await real.client.putObject(...args);
    throw new Error('worker killed after the upload');
  }) as typeof real.client.putObject;
  client.removeObject = (async () => {
    throw new Error('worker killed');
  }) as typeof real.client.removeObject;
  return { ...real, client };
}

describe('a thumbnail stored but never recorded', () => {
  it('leaves nothing queued when it is recorded', async () => {
    const id = await putPdf('recorded');
    const deps: ThumbnailDeps = { store: stack.deps.store, logger, settings };
    const result = await makeThumbnail(deps, stack.deps.em.fork(), id, new AbortController().signal);
    expect(result).toMatchObject({ outcome: 'made' });
    const [key] = await thumbnailObjects(id);
    expect(key).toBe((result as { key: string }).key);
    expect(await queued(key!)).toEqual([]);
  });

  it('is removed by the sweeper once due, and not before', async () => {
    const id = await putPdf('killed');
    const deps: ThumbnailDeps = { store: storeThatDiesAfterUpload(), logger, settings };
    await expect(makeThumbnail(deps, stack.deps.em.fork(), id, new AbortController().signal)).rejects.toThrow(
      /worker killed after the upload/,
    );
    const [orphan, ...others] = await thumbnailObjects(id);
    expect(others).toEqual([]);
    const { rows } = await stack.admin.query('select thumbnail_key from documents where id = $1', [id]);
    expect(rows[0]).toEqual({ thumbnail_key: null });
    // Due in about an hour: a sweep now leaves it, as it must leave a thumbnail being stored.
    const [removal] = await queued(orphan!);
    expect(removal!.due_in).toBeGreaterThan(3_500);
    await sweep();
    expect(await thumbnailObjects(id)).toEqual([orphan]);

    // An hour later (the clock moved by hand), the sweep takes it.
    await stack.admin.query(
      "update object_removals set not_before = now() - interval '1 second' where key = $1",
      [orphan],
    );
    const { removed } = await sweep();
    expect(removed.length).toBeGreaterThanOrEqual(1);
    expect(await thumbnailObjects(id)).toEqual([]);
    expect(await queued(orphan!)).toEqual([]);

    // The retried job makes the thumbnail afresh.
    const retried = await makeThumbnail(
      { store: stack.deps.store, logger, settings },
      stack.deps.em.fork(),
      id,
      new AbortController().signal,
    );
    expect(retried).toMatchObject({ outcome: 'made' });
    expect(await thumbnailObjects(id)).toEqual([(retried as { key: string }).key]);
  });
});
