import { readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { DocumentsDeps } from '@docuvault/documents/context';
import { createDocumentsSubgraph } from '@docuvault/documents/documents-subgraph';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { freePort } from '@docuvault/shared/local-stack/index';
import { createClassifyQueue, type ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import { createDocumentsTestDeps, type DocumentsTestDeps } from '../../support/documents-subgraph.ts';

/** The documents subgraph as production builds it, in-process on a free port. */
export async function startSubgraph(
  deps: DocumentsDeps,
  options: { signed?: boolean } = {},
): Promise<RunningServer> {
  // Signed: only requests the gateway signed are served, as in production.
  const server = await createDocumentsSubgraph(deps, { requireGatewaySignature: options.signed ?? false });
  return server.listen('127.0.0.1', 0);
}

export interface UploadStack extends DocumentsTestDeps {
  readonly subgraph: RunningServer;
  readonly graphqlUrl: string;
  rowCount(): Promise<number>;
  objectKeys(): Promise<string[]>;
  /** Multipart uploads started and neither completed nor aborted. */
  incompleteUploads(): Promise<string[]>;
}

export async function startUploadStack(
  label: string,
  config: Partial<DocumentsDeps['config']> = {},
  options: { signed?: boolean } = {},
): Promise<UploadStack> {
  const stack = await createDocumentsTestDeps(label);
  const deps: DocumentsDeps = { ...stack.deps, config: { ...stack.deps.config, ...config } };
  const subgraph = await startSubgraph(deps, options);
  const { client, bucket } = stack.bucket;
  return {
    ...stack,
    deps,
    subgraph,
    graphqlUrl: `${subgraph.url}/graphql`,
    async rowCount() {
      const { rows } = await stack.admin.query<{ count: number }>(
        'select count(*)::int as count from documents',
      );
      return rows[0]?.count ?? 0;
    },
    async objectKeys() {
      const keys: string[] = [];
      for await (const item of client.listObjectsV2(bucket, '', true)) if (item.name) keys.push(item.name);
      return keys.sort();
    },
    async incompleteUploads() {
      // The listing also lists each upload's parts: an upload aborted in between fails it. Ask again.
      for (let attempt = 1; ; attempt += 1) {
        try {
          const keys: string[] = [];
          for await (const upload of client.listIncompleteUploads(bucket, '', true)) keys.push(upload.key);
          return keys;
        } catch (error) {
          if (attempt >= 5) throw error;
        }
      }
    },
    async close() {
      await subgraph.close();
      await stack.close();
    },
  };
}

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

/** Polls `check` until it holds (cleanup after an abort is asynchronous), or gives up after `ms`. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
