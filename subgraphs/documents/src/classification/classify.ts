import type { Logger } from '@docuvault/shared/logging/logger';
import type { TopicRecord } from '../documents/documents.repository.ts';
import type { Assignment } from './classification.repository.ts';
import type { LiveModel } from './model-cache.ts';
import type { RegexSandbox } from './rules/regex-sandbox.ts';
import { matchRules } from './rules/rules.ts';
import { DocumentText } from './rules/tokens.ts';

/**
 * The topics of a document: rule topics by their patterns, AUTO topics by the vault's
 * learned model (when one exists). NONE topics are only ever set by hand.
 */
export async function classify(
  document: { title: string; text: string },
  topics: readonly TopicRecord[],
  model: LiveModel | undefined,
  regex: RegexSandbox,
  logger: Logger,
): Promise<Assignment[]> {
  const text = new DocumentText(document.title, document.text);
  const assignments: Assignment[] = (await matchRules(text, topics, regex, logger)).map((match) => ({
    ...match,
    source: 'RULE',
    modelTrainedAt: null,
  }));
  const autoTopics = new Set(topics.filter((topic) => topic.matchMode === 'AUTO').map((topic) => topic.id));
  if (model && autoTopics.size > 0) {
    for (const prediction of model.classifier.predict(text.raw)) {
      // The model may know topics that have since changed mode; only AUTO ones are its to set.
      if (!autoTopics.has(prediction.topicId)) continue;
      assignments.push({
        topicId: prediction.topicId,
        source: 'AUTO',
        confidence: prediction.probability,
        terms: prediction.terms,
        modelTrainedAt: model.trainedAt,
      });
    }
  }
  return assignments;
}
