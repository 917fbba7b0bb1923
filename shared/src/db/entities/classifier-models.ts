import { defineEntity, p } from '@mikro-orm/core';
import { uuidPk } from './columns.ts';
import { User } from './users.ts';

/** A trained classifier; rows are kept as history and the newest per owner is the live one. */
export const ClassifierModelSchema = defineEntity({
  name: 'ClassifierModel',
  tableName: 'classifier_models',
  properties: {
    id: uuidPk(),
    // Topics are per user, so is the model trained on them; null = the anonymous vault.
    user: () => p.manyToOne(User).nullable().deleteRule('cascade'),
    // jsonb rather than bytea: the model is inspectable from SQL and the size check below is honest.
    model: p.json<Record<string, unknown>>().lazy().hidden(),
    trainedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    documentsUsed: p.integer(),
    topics: p.integer(),
    sizeBytes: p.integer(),
    trainingMs: p.integer().default(0),
    // md5 of the hand-set topics it learned from: a different current value means retrain.
    labelsFingerprint: p.text().nullable(),
  },
  checks: [
    {
      name: 'classifier_models_counts_check',
      expression: 'documents_used >= 0 and topics >= 0 and size_bytes >= 0',
    },
    { name: 'classifier_models_training_ms_check', expression: 'training_ms >= 0' },
  ],
  indexes: [{ name: 'classifier_models_user_id_trained_at_index', properties: ['user', 'trainedAt'] }],
});
export class ClassifierModel extends ClassifierModelSchema.class {}
ClassifierModelSchema.setClass(ClassifierModel);
