import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { loadConfig, workerEnv, type WorkerConfig } from '@docuvault/shared/config/index';
import type { DocumentStatus } from '@docuvault/shared/db/entities/documents';
import { enqueueClassification } from '@docuvault/shared/queue/classify-queue';
import { startWorkerRuntime, type WorkerRuntime } from '@docuvault/documents/worker/runtime';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/documents-subgraph.ts';
import { testS3 } from '../../support/s3.ts';

// A documents subgraph and classification workers on one test database, bucket and Redis
// prefix. Documents are put in place as the upload path leaves them (object in the
// bucket, row UPLOADED, classify job queued), then observed through GraphQL.

export interface ClassificationStack extends DocumentsTestServer {
  /** The environment a worker process of this stack needs (for spawned workers). */
  workerEnv(extra?: Record<string, string>): Record<string, string>;
  workerConfig(extra?: Record<string, string>): WorkerConfig;
  /** Starts an in-process worker; closed with the stack. */
  startWorker(extra?: Record<string, string>): Promise<WorkerRuntime>;
  /** As the upload path leaves it; `owner` is a user's id (unset: the anonymous vault). */
  putDocument(file: {
    title: string;
    filename: string;
    mimeType: string;
    body: Buffer;
    owner?: string;
  }): Promise<string>;
  waitForStatus(id: string, statuses: readonly DocumentStatus[], timeoutMs?: number): Promise<DocumentStatus>;
}

export async function startClassificationStack(label: string): Promise<ClassificationStack> {
  const stack = await startDocumentsSubgraph(label);
  const workers: WorkerRuntime[] = [];
  const s3 = testS3();
  const workerEnvFor = (extra: Record<string, string> = {}) => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: stack.database.appUrl,
    DATABASE_POOL_MAX: '5',
    REDIS_URL: stack.deps.config.REDIS_URL,
    REDIS_PREFIX: stack.deps.config.REDIS_PREFIX,
    MINIO_ENDPOINT: s3.endpoint,
    MINIO_ROOT_USER: s3.accessKey,
    MINIO_ROOT_PASSWORD: s3.secretKey,
    MINIO_REGION: s3.region,
    MINIO_BUCKET: stack.bucket.bucket,
    HOST: '127.0.0.1',
    // Deterministic whatever the machine has installed: scans are classified by title.
    OCR: 'off',
    ...extra,
  });
  return {
    ...stack,
    workerEnv: workerEnvFor,
    workerConfig: (extra) => loadConfig('worker', workerEnv, workerEnvFor(extra)),
    async startWorker(extra) {
      const runtime = await startWorkerRuntime(loadConfig('worker', workerEnv, workerEnvFor(extra)), {
        healthPort: 0,
      });
      workers.push(runtime);
      return runtime;
    },
    async putDocument(file) {
      const id = randomUUID();
      const objectKey = `${file.owner ?? '_anonymous'}/${id}/${randomUUID()}`;
      await stack.bucket.client.putObject(stack.bucket.bucket, objectKey, file.body, file.body.length);
      const sha256 = createHash('sha256').update(file.body).update(randomBytes(8)).digest('hex');
      await stack.admin.query(
        `insert into documents (id, title, original_filename, mime_type, size_bytes, sha256, object_key, status, user_id)
         values ($1, $2, $3, $4, $5, $6, $7, 'UPLOADED', $8)`,
        [
          id,
          file.title,
          file.filename,
          file.mimeType,
          file.body.length,
          sha256,
          objectKey,
          file.owner ?? null,
        ],
      );
      await enqueueClassification(stack.deps.queue, { documentId: id, requestId: `test-${id}` });
      return id;
    },
    async waitForStatus(id, statuses, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { rows } = await stack.admin.query<{ status: DocumentStatus }>(
          'select status from documents where id = $1',
          [id],
        );
        const status = rows[0]?.status;
        if (status && statuses.includes(status)) return status;
        if (Date.now() > deadline)
          throw new Error(`document ${id} is ${status}, not ${statuses.join('/')}, after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await Promise.allSettled(workers.map((worker) => worker.close()));
      await stack.close();
    },
  };
}

export const DOCUMENT_QUERY = `query ($id: ID!) {
  document(id: $id) {
    id title status failureReason
    topics { topic { name } source confidence }
    classification {
      topics { topic { name } source }
      explanation { topic { name } terms }
      modelTrainedAt
      note
    }
  }
}`;

export interface DocumentView {
  id: string;
  title: string;
  status: DocumentStatus;
  failureReason: string | null;
  topics: { topic: { name: string }; source: string; confidence: number }[];
  classification: {
    topics: { topic: { name: string }; source: string }[];
    explanation: { topic: { name: string }; terms: string[] }[];
    modelTrainedAt: string | null;
    note: string | null;
  };
}

export async function readDocument(stack: ClassificationStack, id: string): Promise<DocumentView> {
  const response = await stack.graphql<{ document: DocumentView }>(DOCUMENT_QUERY, { id });
  if (response.errors || !response.data?.document)
    throw new Error(JSON.stringify(response.errors ?? response));
  return response.data.document;
}

export async function createTopic(
  stack: ClassificationStack,
  input: { name: string; matchMode: string; pattern?: string; caseSensitive?: boolean },
): Promise<string> {
  const response = await stack.graphql<{ createTopic: { id: string } }>(
    'mutation ($input: CreateTopicInput!) { createTopic(input: $input) { id } }',
    { input },
  );
  if (response.errors || !response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.createTopic.id;
}

export const topicNames = (view: DocumentView) => view.topics.map((t) => t.topic.name).sort();
