import { readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort } from '@docuvault/local-stack/free-port';
import { createClassifyQueue, type ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import { expect } from '@jest/globals';
import { postMultipart } from './multipart.ts';

// What the upload suites of every tier share besides a stack: the uploadDocument request (and
// one upload sent with it), the spooled temp files an upload must not leave behind, and a
// queue that cannot enqueue.

/** A classify queue on a Redis that is not there (a closed port): every add fails fast. */
export async function unreachableQueue(): Promise<{ queue: ClassifyQueue; close(): Promise<void> }> {
  const redis = createRedis(`redis://127.0.0.1:${await freePort()}`, 'producer');
  const queue = createClassifyQueue(redis, 'unreachable');
  // Without a listener BullMQ prints every failed reconnect.
  queue.on('error', () => undefined);
  return {
    queue,
    async close() {
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/**
 * The upload temp files (fs-capacitor spools each file to `capacitor-*.tmp` in the temp
 * dir) that this process still has: open and not deleted. Read from /proc/self/fd rather
 * than by listing the temp dir, which the other test workers share (and jest gives test
 * files a copy of process.env, so TMPDIR cannot be set per file).
 */
export function tempUploadFiles(): string[] {
  const files: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      // A deleted file reads as "… (deleted)": only files still in the temp dir count.
      if (target.startsWith(tmpdir()) && /\/capacitor-[0-9a-f]+\.tmp$/.test(target)) files.push(target);
    } catch {
      // the descriptor closed while we looked
    }
  }
  return files;
}

export const UPLOAD_MUTATION = `
  mutation Upload($file: Upload!, $title: String, $folderId: ID) {
    uploadDocument(file: $file, title: $title, folderId: $folderId) {
      duplicate
      document { id title originalFilename mimeType sizeBytes sha256 status folder { id } }
    }
  }`;

/** The operations and map of a one-file uploadDocument request. */
export function uploadOperation(variables: Record<string, unknown> = {}) {
  return {
    operations: { query: UPLOAD_MUTATION, operationName: 'Upload', variables: { file: null, ...variables } },
    map: { '0': ['variables.file'] },
  };
}

/**
 * Uploads one file through the multipart mutation at `url` (a gateway's or the documents
 * subgraph's /graphql) and answers the new document's id; an answer with errors fails the test.
 */
export async function uploadFile(
  url: string,
  file: { filename: string; contentType: string; content: Buffer },
  title: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const result = await postMultipart(
    url,
    { ...uploadOperation({ title }), files: [{ field: '0', ...file }] },
    { headers },
  );
  expect(result.body.errors).toBeUndefined();
  return (result.body.data as { uploadDocument: { document: { id: string } } }).uploadDocument.document.id;
}
