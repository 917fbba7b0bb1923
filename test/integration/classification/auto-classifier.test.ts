import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requestRetrain } from '@docuvault/documents/classification/enqueue';
import { CORPUS_TOPICS, generateCorpus, splitCorpus, type CorpusTopic } from '../../fixtures/corpus.ts';
import { createTopic, readDocument, startClassificationStack, type ClassificationStack } from './support.ts';

// The learned layer end to end: hand-set topics in Postgres → the label check notices →
// a debounced retrain job trains and stores the model → new uploads get AUTO topics.

let stack: ClassificationStack;
const topicIds = new Map<CorpusTopic, string>();
const { train, test } = splitCorpus(generateCorpus(50));

beforeAll(async () => {
  stack = await startClassificationStack('auto-classifier');
  for (const name of Object.keys(CORPUS_TOPICS) as CorpusTopic[]) {
    topicIds.set(name, await createTopic(stack, { name, matchMode: 'AUTO' }));
  }
  // The training half, as people left it: classified documents with hand-set topics.
  await stack.admin.query(
    `with docs as (
       insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, status, extracted_text)
       select t.title, t.title || '.txt', 'text/plain', 100, md5(t.title) || md5(t.title), 'train/' || t.title, 'CLASSIFIED', t.text
       from unnest($1::text[], $2::text[]) as t(title, text)
       returning id, title)
     insert into document_topics (document_id, topic_id, confidence, source)
     select docs.id, l.topic_id, 1, 'MANUAL' from docs join unnest($1::text[], $3::uuid[]) as l(title, topic_id) using (title)`,
    [train.map((d) => d.title), train.map((d) => d.text), train.map((d) => topicIds.get(d.topic))],
  );
  await stack.startWorker({ CLASSIFIER_LABEL_CHECK_SECONDS: '1', CLASSIFIER_RETRAIN_DEBOUNCE_MS: '200' });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

interface Status {
  trainedAt: string | null;
  documentsUsed: number;
  topics: number;
}

async function classifierStatus(): Promise<Status> {
  const response = await stack.graphql<{ classifierStatus: Status }>(
    '{ classifierStatus { trainedAt documentsUsed topics } }',
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.classifierStatus;
}

async function assignmentThreshold(): Promise<number | null> {
  const response = await stack.graphql<{ classifierStatus: { assignmentThreshold: number | null } }>(
    '{ classifierStatus { assignmentThreshold } }',
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.classifierStatus.assignmentThreshold;
}

describe('the auto-classifier', () => {
  it('is trained by a queued job once hand-set topics exist, and stored in Postgres', async () => {
    let status = await classifierStatus();
    for (let i = 0; i < 200 && status.trainedAt === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await classifierStatus();
    }
    expect(status).toEqual({ trainedAt: expect.any(String), documentsUsed: train.length, topics: 5 });
    const { rows } = await stack.admin.query(
      'select size_bytes, training_ms, labels_fingerprint, octet_length(model::text) as stored from classifier_models',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].size_bytes).toBeGreaterThan(1_000);
    expect(rows[0].training_ms).toBeGreaterThanOrEqual(0);
    expect(rows[0].labels_fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('does not retrain while the labels stay the same', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two label checks
    const { rows } = await stack.admin.query('select count(*)::int as n from classifier_models');
    expect(rows[0].n).toBe(1);
  });

  it('classifies held-out documents with at least 85% accuracy', async () => {
    const ids = await Promise.all(
      test.map((d) =>
        stack.putDocument({
          title: d.title,
          filename: `${d.title}.txt`,
          mimeType: 'text/plain',
          body: Buffer.from(d.text),
        }),
      ),
    );
    for (const id of ids) await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'], 60_000);
    const { rows } = await stack.admin.query<{ document_id: string; topic_id: string }>(
      `select document_id, topic_id from document_topics where source = 'AUTO' and document_id = any($1::uuid[])`,
      [ids],
    );
    const predicted = new Map<string, string[]>();
    for (const row of rows)
      predicted.set(row.document_id, [...(predicted.get(row.document_id) ?? []), row.topic_id]);
    const correct = test.filter((d, i) => {
      const topics = predicted.get(ids[i]!) ?? [];
      return topics.length === 1 && topics[0] === topicIds.get(d.topic);
    }).length;
    const accuracy = correct / test.length;
    console.log(
      `auto-classifier accuracy: ${(accuracy * 100).toFixed(1)}% (${correct}/${test.length} held-out documents, ` +
        `${train.length} training documents, ${topicIds.size} topics)`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.85);

    const view = await readDocument(stack, ids[0]!);
    const status = await classifierStatus();
    const threshold = await assignmentThreshold();
    // One AUTO topic at most, and only at the threshold calibrated on held-out labels.
    expect(threshold).not.toBeNull();
    expect(view.topics).toHaveLength(1);
    expect(
      view.topics.every((t) => t.source === 'AUTO' && t.confidence >= threshold! && t.confidence <= 1),
    ).toBe(true);
    expect(view.classification.modelTrainedAt).toBe(status.trainedAt);
    expect(view.classification.explanation[0]?.terms.length).toBeGreaterThan(0);
  }, 120_000);

  it('debounces retrain requests into one job per vault', async () => {
    await stack.deps.queue.pause();
    try {
      for (let i = 0; i < 3; i++) await requestRetrain(stack.deps.queue, null, { debounceMs: 60_000 });
      const delayed = await stack.deps.queue.getJobs(['delayed', 'waiting']);
      expect(delayed.filter((job) => job.name === 'retrain-classifier')).toHaveLength(1);
    } finally {
      const jobs = await stack.deps.queue.getJobs(['delayed']);
      await Promise.all(jobs.filter((job) => job.name === 'retrain-classifier').map((job) => job.remove()));
      await stack.deps.queue.resume();
    }
  });

  it('retrains a vault whose live model is in the old format at the next label check', async () => {
    const legacy = {
      kind: 'tfidf-logistic-ovr',
      version: 1,
      terms: ['clinic', 'patient'],
      idf: [1, 1],
      topics: [
        {
          topicId: topicIds.get('medical'),
          bias: -1,
          weights: [
            [0, 3],
            [1, 3],
          ],
        },
      ],
    };
    // Its fingerprint is of the labels alone, as the old code wrote it: stale for the new format.
    await stack.admin.query(
      `insert into classifier_models (user_id, model, documents_used, topics, size_bytes, labels_fingerprint)
       values (null, $1::jsonb, 2, 1, 100, md5('old'))`,
      [JSON.stringify(legacy)],
    );
    let kind = 'tfidf-logistic-ovr';
    for (let i = 0; i < 100 && kind !== 'tfidf-softmax'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { rows } = await stack.admin.query<{ kind: string }>(
        `select model ->> 'kind' as kind from classifier_models order by trained_at desc, id desc limit 1`,
      );
      kind = rows[0]!.kind;
    }
    expect(kind).toBe('tfidf-softmax');
  }, 30_000);
});
