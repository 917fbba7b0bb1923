import type { Logger } from '@docuvault/shared/logging/logger';
import type { TopicRecord } from '../documents/documents.repository.ts';
import type { Vault } from '../documents/vault.ts';
import { MIN_EXAMPLES_PER_TOPIC } from './model/auto-classifier.ts';
import { ModelCache } from './model-cache.ts';
import { DocumentText } from './rules/tokens.ts';
import { findAutoTopicsWithLabels, findDocumentTexts, findModelQuality } from './suggestions.repository.ts';
import { findLiveModel } from './training.repository.ts';

// Suggestions are computed on read from the vault's live model, not stored: they always
// follow the newest model and the topics as they are now, and cost one prediction (well
// under 2 ms, `npm run bench`) per document asked for.

export const MAX_SUGGESTIONS = 3;

export interface TopicSuggestion {
  topic: TopicRecord;
  confidence: number;
  terms: string[];
}

// One per process: a model is parsed once per training, whichever request first needs it.
let cache: ModelCache | undefined;
const modelCache = (logger: Logger) => (cache ??= new ModelCache(logger));

/** Up to three AUTO topics per document, most likely first; empty without a model or AUTO topics. */
export async function suggestTopics(
  vault: Vault,
  documentIds: readonly string[],
  logger: Logger,
): Promise<Map<string, TopicSuggestion[]>> {
  const suggestions = new Map<string, TopicSuggestion[]>(documentIds.map((id) => [id, []]));
  const model = await modelCache(logger).live(vault.em, vault.owner);
  if (!model) return suggestions;
  const topics = new Map(
    (await findAutoTopicsWithLabels(vault.em, vault.owner)).map((topic) => [topic.id, topic]),
  );
  if (topics.size === 0) return suggestions;
  for (const document of await findDocumentTexts(vault.em, vault.owner, documentIds)) {
    const text = new DocumentText(document.title, document.text).raw;
    // The model may know topics that have since changed mode or gone: only current AUTO ones.
    const ranked = model.classifier.rank(text).filter((prediction) => topics.has(prediction.topicId));
    suggestions.set(
      document.id,
      ranked.slice(0, MAX_SUGGESTIONS).map(({ topicId, probability, terms }) => {
        const { examples: _examples, ...topic } = topics.get(topicId)!;
        return { topic, confidence: probability, terms };
      }),
    );
  }
  return suggestions;
}

export interface TopicClassifierStatus {
  topic: TopicRecord;
  examples: number;
  trainedAt: Date | null;
  heldOutAccuracy: number | null;
  coldStart: boolean;
}

export interface ClassifierQuality {
  assignmentThreshold: number | null;
  minimumExamples: number;
  byTopic: TopicClassifierStatus[];
}

/** Per AUTO topic: labels now, and what the live model learned of it (when it did). */
export async function classifierQuality(vault: Vault): Promise<ClassifierQuality> {
  const topics = await findAutoTopicsWithLabels(vault.em, vault.owner);
  const live = await findLiveModel(vault.em, vault.owner);
  const quality = live ? await findModelQuality(vault.em, live.id) : undefined;
  const learned = new Map((quality?.topics ?? []).map((topic) => [topic.topicId, topic]));
  return {
    assignmentThreshold: quality?.threshold ?? null,
    minimumExamples: MIN_EXAMPLES_PER_TOPIC,
    byTopic: topics.map(({ examples, ...topic }) => ({
      topic,
      examples,
      trainedAt: learned.has(topic.id) && live ? live.trainedAt : null,
      heldOutAccuracy: learned.get(topic.id)?.heldOutAccuracy ?? null,
      coldStart: examples < MIN_EXAMPLES_PER_TOPIC,
    })),
  };
}
