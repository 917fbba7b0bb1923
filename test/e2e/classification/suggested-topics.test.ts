import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { retrainClassifier } from '@docuvault/documents/classification/training.service';
import { createLogger } from '@docuvault/shared/logging/logger';
import { CORPUS_TOPICS, generateCorpus, splitCorpus, type CorpusTopic } from '../../fixtures/corpus.ts';
import { accountsClient, uniqueEmail, type AuthPayload } from '../../integration/accounts/accounts-client.ts';
import { startStack, type Stack } from '../../support/stacks/index.ts';

// Suggested topics and the per-topic classifier status, through the gateway as a client sees
// them: a vault's hand-set topics train its model (the worker's training function, on the
// subgraph's database), a document with no topic still gets ranked suggestions, only its
// owner sees them, and accepting one by hand is a label the next training learns from.

let stack: Stack;
let accounts: ReturnType<typeof accountsClient>;
let alice: AuthPayload;
let bob: AuthPayload;
const topicIds = new Map<CorpusTopic, string>();
const { train, test } = splitCorpus(generateCorpus(30));
const logger = createLogger('e2e-suggestions', 'silent');

const SUGGESTIONS = `query ($id: ID!) { document(id: $id) {
  topics { topic { id } } suggestedTopics { topic { id name } confidence terms } } }`;
const STATUS = `{ classifierStatus { trainedAt documentsUsed assignmentThreshold minimumExamples
  byTopic { topic { name } examples trainedAt heldOutAccuracy coldStart } } }`;

interface Suggestion {
  topic: { id: string; name: string };
  confidence: number;
  terms: string[];
}
interface TopicStatus {
  topic: { name: string };
  examples: number;
  trainedAt: string | null;
  heldOutAccuracy: number | null;
  coldStart: boolean;
}
interface Status {
  trainedAt: string | null;
  documentsUsed: number;
  assignmentThreshold: number | null;
  minimumExamples: number;
  byTopic: TopicStatus[];
}

/** A classified document of alice's with text and no topic, as the worker leaves one it could not place. */
async function insertDocument(owner: string, title: string, text: string): Promise<string> {
  const { rows } = await stack.documents.admin.query<{ id: string }>(
    `insert into documents (user_id, title, original_filename, mime_type, size_bytes, sha256, object_key, status, extracted_text)
     values ($1, $2, $2 || '.txt', 'text/plain', 100, md5($2) || md5($2), 'e2e/' || md5($2), 'CLASSIFIED', $3) returning id`,
    [owner, title, text],
  );
  return rows[0]!.id;
}

const retrain = (owner: string) => retrainClassifier(stack.documents.deps.em.fork(), owner, logger);

beforeAll(async () => {
  stack = await startStack('e2e-suggestions', { gateway: { ALLOW_ANONYMOUS: 'false' } });
  accounts = accountsClient(stack.gatewayUrl);
  alice = await accounts.register(uniqueEmail('alice'));
  bob = await accounts.register(uniqueEmail('bob'));
  for (const name of Object.keys(CORPUS_TOPICS) as CorpusTopic[]) {
    const { createTopic } = await accounts.data<{ createTopic: { id: string } }>(
      'mutation ($input: CreateTopicInput!) { createTopic(input: $input) { id } }',
      { input: { name, matchMode: 'AUTO' } },
      { token: alice.accessToken },
    );
    topicIds.set(name, createTopic.id);
  }
  for (const document of train) {
    const id = await insertDocument(alice.user.id, document.title, document.text);
    await stack.documents.admin.query(
      `insert into document_topics (document_id, topic_id, confidence, source) values ($1, $2, 1, 'MANUAL')`,
      [id, topicIds.get(document.topic)],
    );
  }
  await retrain(alice.user.id);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('suggested topics through the gateway', () => {
  it('ranks up to three topics for a document that has no topic, the right one first', async () => {
    const sample = test.find((document) => document.topic === 'medical')!;
    const id = await insertDocument(alice.user.id, sample.title, sample.text);
    const { document } = await accounts.data<{
      document: { topics: unknown[]; suggestedTopics: Suggestion[] };
    }>(SUGGESTIONS, { id }, { token: alice.accessToken });
    expect(document.topics).toEqual([]);
    expect(document.suggestedTopics).toHaveLength(3);
    expect(document.suggestedTopics[0]!.topic.id).toBe(topicIds.get('medical'));
    expect(document.suggestedTopics[0]!.terms.length).toBeGreaterThan(0);
    const confidences = document.suggestedTopics.map((suggestion) => suggestion.confidence);
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
    expect(confidences.every((c) => c >= 0 && c <= 1)).toBe(true);
    expect(confidences.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1.0001);
  });

  it('answers another user as if the document did not exist', async () => {
    const id = await insertDocument(alice.user.id, 'private note', test[0]!.text);
    const answer = await accounts.call<{ document: unknown }>(
      SUGGESTIONS,
      { id },
      { token: bob.accessToken },
    );
    const missing = await accounts.call<{ document: unknown }>(
      SUGGESTIONS,
      { id: '00000000-0000-4000-8000-000000000000' },
      { token: bob.accessToken },
    );
    expect(answer.data?.document ?? null).toBeNull();
    expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(
      missing.errors?.map((error) => error.extensions?.code),
    );
  });

  it('reports per topic its examples, when it was learned and its held-out accuracy', async () => {
    const { classifierStatus } = await accounts.data<{ classifierStatus: Status }>(
      STATUS,
      {},
      { token: alice.accessToken },
    );
    expect(classifierStatus.documentsUsed).toBe(train.length);
    expect(classifierStatus.byTopic).toHaveLength(5);
    for (const topic of classifierStatus.byTopic) {
      expect(topic.examples).toBe(train.filter((d) => d.topic === topic.topic.name).length);
      expect(topic.trainedAt).toBe(classifierStatus.trainedAt);
      expect(topic.heldOutAccuracy).toBeGreaterThanOrEqual(0);
      expect(topic.heldOutAccuracy).toBeLessThanOrEqual(1);
      expect(topic.coldStart).toBe(false);
    }
    // Bob's vault has no topics and no model.
    const other = await accounts.data<{ classifierStatus: Status }>(STATUS, {}, { token: bob.accessToken });
    expect(other.classifierStatus).toMatchObject({ trainedAt: null, documentsUsed: 0, byTopic: [] });
  });

  it('says a topic with fewer than the minimum examples is in cold start', async () => {
    await accounts.data(
      'mutation ($input: CreateTopicInput!) { createTopic(input: $input) { id } }',
      { input: { name: 'receipts', matchMode: 'AUTO' } },
      { token: alice.accessToken },
    );
    const { classifierStatus } = await accounts.data<{ classifierStatus: Status }>(
      STATUS,
      {},
      { token: alice.accessToken },
    );
    expect(classifierStatus.byTopic.find((topic) => topic.topic.name === 'receipts')).toEqual({
      topic: { name: 'receipts' },
      examples: 0,
      trainedAt: null,
      heldOutAccuracy: null,
      coldStart: true,
    });
    expect(classifierStatus.minimumExamples).toBeGreaterThan(0);
  });

  it('learns from a suggestion accepted by hand like from any other label', async () => {
    const sample = test.find((document) => document.topic === 'legal')!;
    const id = await insertDocument(alice.user.id, sample.title, sample.text);
    const { document } = await accounts.data<{ document: { suggestedTopics: Suggestion[] } }>(
      SUGGESTIONS,
      { id },
      { token: alice.accessToken },
    );
    const accepted = document.suggestedTopics[0]!.topic;
    await accounts.data(
      'mutation ($id: ID!, $input: UpdateDocumentInput!) { updateDocument(id: $id, input: $input) { id } }',
      { id, input: { topicIds: [accepted.id] } },
      { token: alice.accessToken },
    );
    await retrain(alice.user.id);
    const { classifierStatus } = await accounts.data<{ classifierStatus: Status }>(
      STATUS,
      {},
      { token: alice.accessToken },
    );
    expect(classifierStatus.documentsUsed).toBe(train.length + 1);
    expect(classifierStatus.byTopic.find((topic) => topic.topic.name === accepted.name)?.examples).toBe(
      train.filter((d) => d.topic === accepted.name).length + 1,
    );
  });
});
