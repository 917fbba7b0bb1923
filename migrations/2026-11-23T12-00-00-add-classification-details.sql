-- What the classifier needs beyond the v1 schema:
-- * document_topics.explanation: the terms that weighed most for a RULE/AUTO topic, stored
--   with the classification so reading it never re-runs the classifier (null for MANUAL).
-- * document_topics.model_trained_at: for AUTO topics, when the model that chose them was
--   trained (a timestamp rather than a foreign key: old models are pruned).
-- * classifier_models.training_ms: how long training took.
-- * classifier_models.labels_fingerprint: md5 of the hand-set topics the model learned
--   from; the worker retrains a vault whose current fingerprint differs.

-- migrate:up

alter table "document_topics"
  add column "explanation" jsonb null,
  add column "model_trained_at" timestamptz null;

alter table "classifier_models"
  add column "training_ms" integer not null default 0,
  add column "labels_fingerprint" text null,
  add constraint "classifier_models_training_ms_check" check (training_ms >= 0);

-- migrate:down

alter table "classifier_models"
  drop constraint "classifier_models_training_ms_check",
  drop column "labels_fingerprint",
  drop column "training_ms";

alter table "document_topics"
  drop column "model_trained_at",
  drop column "explanation";
