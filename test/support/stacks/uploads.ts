import type { DocumentsDeps } from '@docuvault/documents/context';
import { createDocumentsSubgraph } from '@docuvault/documents/documents-subgraph';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createDocumentsTestDeps, type DocumentsTestDeps } from './documents.ts';

/** The documents subgraph as production builds it, over `deps`, in-process on a free port. */
export async function listenDocumentsSubgraph(
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

/**
 * The documents subgraph with `config` on top of the test deps' (upload limits, …), and the
 * counts upload tests compare before and after: rows, objects, unfinished multipart uploads.
 */
export async function startUploadStack(
  label: string,
  config: Partial<DocumentsDeps['config']> = {},
  options: { signed?: boolean } = {},
): Promise<UploadStack> {
  const stack = await createDocumentsTestDeps(label);
  const deps: DocumentsDeps = { ...stack.deps, config: { ...stack.deps.config, ...config } };
  let subgraph: RunningServer;
  try {
    subgraph = await listenDocumentsSubgraph(deps, options);
  } catch (error) {
    await stack.close();
    throw error;
  }
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
