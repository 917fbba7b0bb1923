import type { Logger } from '@docuvault/shared/logging/logger';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadAutoClassifier, type AutoClassifier } from './model/auto-classifier.ts';
import { isStoredModel } from './model/stored-model.ts';
import { findLiveModel, loadModelJson } from './training.repository.ts';

export interface LiveModel {
  id: string;
  trainedAt: Date;
  classifier: AutoClassifier;
}

/**
 * Each vault's live model, loaded once per training rather than once per job: a job asks
 * only for the live model's id (one indexed row) and reloads when a newer model exists.
 */
export class ModelCache {
  private readonly models = new Map<string, LiveModel>();
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  async live(em: EntityManager, owner: string | null): Promise<LiveModel | undefined> {
    const key = owner ?? '_anonymous';
    const header = await findLiveModel(em, owner);
    if (!header) {
      this.models.delete(key);
      return undefined;
    }
    const cached = this.models.get(key);
    if (cached?.id === header.id) return cached;
    const json = await loadModelJson(em, header.id);
    if (!isStoredModel(json)) {
      this.logger.warn({ modelId: header.id }, 'classifier model has an unknown format; AUTO topics skipped');
      return undefined;
    }
    const live = { id: header.id, trainedAt: header.trainedAt, classifier: loadAutoClassifier(json) };
    this.models.set(key, live);
    return live;
  }
}
